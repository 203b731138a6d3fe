import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OrderHandling } from '../app/handle-message.ts';
import type { Notifier } from '../app/notify.ts';
import { createOrderQuery } from '../app/order-query.ts';
import { systemClock } from '../app/ports.ts';
import { anomalyRadarTask, createAnomalyRadar } from '../app/scan-anomalies.ts';
import type { OrderFacts, TicketOrders } from '../app/tickets/context.ts';
import type { Env } from '../config/env.ts';
import { ANOTHER_ORDER, ordersNamedByGoods, ordersOfProducts, type ProductGroup } from '../domain/orders/goods.ts';
import { credibilityReport } from '../domain/orders/signoff.ts';
import { estimatedDelivery, nextStep } from '../domain/orders/timeline.ts';
import type { OrderDetail, OrderStatus } from '../domain/orders/types.ts';
import type { MaintenanceTask } from '../jobs/workers.ts';
import { createRadarStore } from '../store/anomaly.repo.ts';
import { createAuditWriter } from '../store/audit.repo.ts';
import { createCustomerDirectory } from '../store/customer-directory.repo.ts';
import type { Database } from '../store/db.ts';
import { PLATFORM } from '../store/identities.repo.ts';
import { createOrderReader, createOrderTickets, signoffCounts } from '../store/orders.repo.ts';
import { createVerificationGuard } from '../store/verification-guard.ts';

/**
 * Which of a customer's orders a problem is most likely about when the message names none: the newest
 * order in the first of these statuses that has one (a 发错货 is about a delivered order, 催发货 about one
 * not shipped yet); for problems with a delivered parcel, else the newest shipped one; else the newest order.
 * An order whose tracking shows a sign-off counts as delivered even while its status still says shipped.
 */
const DELIVERED: readonly OrderStatus[] = ['signed'];
/** Orders a change or a cancellation can still reach: not shipped yet first, else on its way (改派, 拒收). */
const NOT_YET_DELIVERED: readonly OrderStatus[] = ['pending_payment', 'paid', 'approved', 'picked', 'shipped'];
const WANTS: Partial<Record<string, readonly OrderStatus[]>> = {
  not_received: ['signed', 'shipped'],
  damaged: DELIVERED,
  wrong_item: DELIVERED,
  missing_item: DELIVERED,
  quality_issue: DELIVERED,
  safety_issue: DELIVERED,
  return_refund: DELIVERED,
  refund_only: DELIVERED,
  exchange: DELIVERED,
  logistics_delay: ['shipped'],
  urge_shipment: ['paid', 'approved', 'picked'],
  cancel_order: NOT_YET_DELIVERED,
  change_order: NOT_YET_DELIVERED,
  refund_progress: ['refunded'],
};

/** Staff asking for the sign-off credibility report (签收可信率 / 签收可信度 / 签收质量). */
const SIGNOFF_REPORT = /签收(?:可信|质量)/u;

const SIGNOFF_GRADE: Record<string, number> = { electronic: 0, locker: 1, photo: 2, otp: 2 };

function facts(o: OrderDetail, now = systemClock.now()): OrderFacts {
  const shipped = o.history.find((h) => h.status === 'shipped')?.at;
  const latest = o.tracking.reduce<OrderDetail['tracking'][number] | undefined>(
    (a, t) => (!a || t.at > a.at ? t : a),
    undefined,
  );
  const refunded = o.history.findLast((h) => h.status === 'refunded')?.at;
  const signed = o.tracking.find((t) => t.signoffKind !== undefined);
  const eta = estimatedDelivery(o);
  return {
    id: o.id,
    orderNo: o.orderNo,
    source: o.source,
    amountCents: o.amountCents,
    status: o.status,
    ...(o.paidAt ? { paidAt: o.paidAt } : {}),
    ...(o.promisedShipBy ? { promisedShipBy: o.promisedShipBy } : {}),
    ...(o.carrier ? { carrier: o.carrier } : {}),
    ...(o.trackingNo ? { trackingNo: o.trackingNo } : {}),
    ...(shipped ? { shippedAt: shipped } : {}),
    ...(refunded ? { refundedAt: refunded } : {}),
    ...(signed?.signoffKind && SIGNOFF_GRADE[signed.signoffKind] !== undefined
      ? { lastSignoff: { kind: signed.signoffKind, at: signed.at } }
      : {}),
    ...(latest ? { latestTracking: { at: latest.at, description: latest.description } } : {}),
    nextStep: nextStep(o, now),
    ...(eta ? { eta } : {}),
  };
}

/** Orders as the worker sees them: status answers, the order behind a ticket, the anomaly radar. */
export function composeOrders(deps: { env: Env; db: Database; producer: Redis }) {
  const orders = createOrderReader(deps.db.sql);
  const query = createOrderQuery({
    orders,
    customers: createCustomerDirectory(deps.db.sql, systemClock),
    guard: createVerificationGuard(deps.producer, { prefix: deps.env.QUEUE_PREFIX }),
    audit: createAuditWriter(deps.db.sql, systemClock),
    clock: systemClock,
    tickets: createOrderTickets(deps.db.sql),
  });

  const handling: OrderHandling = {
    async answer({ sender, delivery, parse }) {
      // "@bot 签收可信率": the sign-off credibility of the last 30 days, for whoever manages the carriers.
      if (sender.kind === 'staff' && SIGNOFF_REPORT.test(delivery.text)) {
        const counts = (since: Date) => signoffCounts(deps.db.sql, since);
        return { text: (await credibilityReport(counts, 30, systemClock.now())).text };
      }
      const r = await query({
        channel: PLATFORM[delivery.channel],
        userRef: delivery.userRef,
        role: sender.kind === 'staff' ? (sender.role === 'manager' ? 'manager' : 'staff') : 'customer',
        ...(delivery.chatId ? { chatId: delivery.chatId } : {}),
        ...(delivery.displayName ? { displayName: delivery.displayName } : {}),
        text: delivery.text,
        entities: parse.entities,
      });
      // Staff text that names no order is not an order question; let the caller answer it.
      if (sender.kind === 'staff' && r.outcome === 'need_reference') return undefined;
      return { text: r.text, orderNos: r.orders.map((o) => o.orderNo) };
    },
  };

  /** The tickets' view of orders; `productGroups` are the goods words of intents/lookups/products.txt. */
  const lookupFor = (productGroups: readonly ProductGroup[]): TicketOrders => ({
    async forCustomer(customerId, entities, intents = [], text = '') {
      const mine = await orders.find({ by: 'customer', value: customerId }, 20);
      const refs = entities.filter((e) => e.type === 'orderNo' || e.type === 'trackingNo');
      const find = (e: { type: string; value: string }) =>
        mine.find(
          (o) =>
            (e.type === 'orderNo' && o.orderNo === e.value) || (e.type === 'trackingNo' && o.trackingNo === e.value),
        );
      // Named in this message (start ≥ 0) it is the order; carried from the conversation (start −1) it is
      // the likely one, unless the problem contradicts it (a parcel "received" that has not shipped).
      const named = refs.filter((e) => (e.start ?? 0) >= 0);
      for (const e of named) {
        const hit = find(e);
        if (hit) return { order: facts(hit) };
      }
      // A number the customer named that is not theirs: no guess at another order (nor a hint that it exists).
      if (named[0]) return { notTheirs: named[0].value };
      const wanted = intents.map((i) => WANTS[i]).find((w) => w !== undefined);
      const status = (o: OrderDetail): OrderStatus =>
        o.lastTrackingKind === 'signed' && o.status === 'shipped' ? 'signed' : (o.status as OrderStatus);
      // The wanted statuses in order of preference ("显示签收了但没收到": a signed order before a shipped one).
      const preference: readonly OrderStatus[] = wanted === DELIVERED ? [...DELIVERED, 'shipped'] : (wanted ?? []);
      // The order carried from the conversation gives way when the problem cannot be about it: goods received from
      // a parcel not delivered, or an address to change on one already signed for.
      const strict = wanted === DELIVERED || wanted === NOT_YET_DELIVERED;
      const contradicts = (o: OrderDetail) => strict && !preference.includes(status(o));
      // The goods the message names ("纸尿裤少了一包") narrow the orders down; "另一单…" rules out the one carried.
      const carried = refs.filter((r) => (r.start ?? 0) < 0).flatMap((e) => find(e) ?? []);
      const another = ANOTHER_ORDER.test(text);
      const others = another ? mine.filter((o) => !carried.includes(o)) : mine;
      // The kinds of goods it names ("衣服掉色": clothes): orders without such goods are not what it is about, and
      // when none of theirs holds any, no order is guessed (a complaint about clothes once went on an order of tea).
      const products = entities
        .filter((e) => e.type === 'product' && (e.start ?? 0) >= 0)
        .map((e) => ({ value: e.value, said: e.end !== undefined ? text.slice(e.start, e.end) : e.value }));
      const ofKind = ordersOfProducts(products, productGroups, others);
      const missing = products[0]?.said;
      if (ofKind && ofKind.length === 0 && others.length > 0 && missing) return { goodsNotFound: missing };
      const byName = ordersNamedByGoods(text, ofKind ?? others);
      const byGoods = byName.length > 0 ? byName : (ofKind ?? []);
      for (const hit of another ? [] : carried) {
        if (!contradicts(hit) && (byGoods.length === 0 || byGoods.includes(hit))) return { order: facts(hit) };
      }
      // Else the newest order in the first preferred status that has one.
      const pool = byGoods.length > 0 ? byGoods : others;
      const likely = preference.map((s) => pool.find((o) => status(o) === s)).find((o) => o !== undefined) ?? pool[0];
      return likely
        ? { order: facts(likely), guessed: pool.length > 1 || (byGoods.length === 0 && mine.length > 1) }
        : {};
    },
  });

  return {
    handling,
    lookupFor,
    /** The anomaly radar as a periodic task, every `everyMs` (RADAR_INTERVAL_MS). */
    radarTask(notifier: Notifier, everyMs: number): MaintenanceTask {
      const radar = createAnomalyRadar({ store: createRadarStore(deps.db.sql), clock: systemClock });
      return anomalyRadarTask(
        radar,
        async (alerts) => {
          for (const a of alerts) {
            // Keyed by the findings it reports, so a retried radar job never pushes the same alert twice.
            const findings = a.findings.map((f) => `${f.orderId}|${f.kind}|${f.fingerprint}`).sort();
            const digest = createHash('sha256').update(findings.join('\n')).digest('hex').slice(0, 24);
            await notifier.push({
              to: { group: a.group },
              kind: 'alert',
              text: a.text,
              dedupeKey: `radar-${a.group}-${digest}`,
            });
          }
        },
        everyMs,
      );
    },
  };
}
