import { carrierName, transitDays } from './carriers.ts';
import { cnDateTime, cnDay, cnDayNumber, DAY_MS, HOUR_MS } from './cn-time.ts';
import { maskAddress, maskName, maskPhone } from './mask.ts';
import { countsAsDelivered, normalizeSignoffKind, SIGNOFF_LABEL } from './signoff.ts';
import {
  EVENT_LABEL,
  isOrderStatus,
  type OrderDetail,
  type OrderSnapshot,
  STATE_LABEL,
  sourceLabel,
  type TrackingEventView,
} from './types.ts';

/**
 * The order-status answer (product.md flow 5): current state, a compact timeline, carrier + tracking no,
 * the latest tracking event and what happens next ("预计 11月24日 送达"). Phone and address are always
 * masked here: the reply lands in a chat.
 */

const TRACKING_STATE: Record<string, string> = {
  pickup: '已揽收',
  transit: '运输中',
  delivering: '派送中',
  exception: '物流异常',
};
const MAX_HISTORY_LINES = 6;

/** What the current state needs: the order row's status and denormalised tracking, and the events if loaded. */
type StateFacts = Pick<OrderDetail, 'status' | 'lastTrackingKind' | 'lastSignoffKind'> & {
  tracking?: readonly TrackingEventView[];
};

function latestTracking(order: StateFacts): TrackingEventView | undefined {
  return order.tracking?.[0];
}

function isSigned(order: StateFacts): boolean {
  return (latestTracking(order)?.kind ?? order.lastTrackingKind) === 'signed';
}

function signoffOf(order: StateFacts): string | undefined {
  return latestTracking(order)?.signoffKind ?? order.lastSignoffKind;
}

/** True only when a locker, photo or OTP sign-off proves the customer has the parcel. */
export function isDelivered(order: OrderDetail): boolean {
  return isSigned(order) && countsAsDelivered(signoffOf(order));
}

/** The current state in one phrase; an electronic-only sign-off is never called delivered. */
export function currentState(order: StateFacts): string {
  if (order.status === 'cancelled' || order.status === 'refunded') return STATE_LABEL[order.status];
  if (isSigned(order)) {
    const kind = normalizeSignoffKind(signoffOf(order));
    return countsAsDelivered(kind) ? `已签收（${SIGNOFF_LABEL[kind]}）` : '快递显示已签收（仅电子签收，暂无签收凭证）';
  }
  if (order.status === 'signed') return '显示已签收（暂无签收凭证）';
  const tracking = latestTracking(order)?.kind ?? order.lastTrackingKind;
  if (order.status === 'shipped' && tracking) return TRACKING_STATE[tracking] ?? '运输中';
  return isOrderStatus(order.status) ? STATE_LABEL[order.status] : order.status;
}

function historyLine(order: OrderDetail, status: string, at: Date): string {
  const label = isOrderStatus(status) ? EVENT_LABEL[status] : status;
  if (status === 'shipped' && order.trackingNo) {
    return `${cnDateTime(at)} ${label} · ${carrierName(order.carrier)} ${order.trackingNo}`;
  }
  return `${cnDateTime(at)} ${label}`;
}

function trackingLine(e: TrackingEventView): string {
  const where = e.location ? `【${e.location}】` : '';
  if (e.kind === 'signed') {
    return `${cnDateTime(e.at)} ${SIGNOFF_LABEL[normalizeSignoffKind(e.signoffKind)]}：${where}${e.description}`;
  }
  return `${cnDateTime(e.at)} 最新物流：${where}${e.description}`;
}

/**
 * Timeline lines, oldest first: status history (last few), then the latest tracking event. When that event is the
 * sign-off, it says when and how the parcel was signed for; the status line 已签收 (when our data learned of it,
 * often later) would stand after it with a later time, so it is left out.
 */
export function timelineLines(order: OrderDetail): string[] {
  const seen = new Set<string>();
  const latest = latestTracking(order);
  const signedByTracking = latest?.kind === 'signed';
  const history = [...order.history]
    .filter((h) => !(signedByTracking && h.status === 'signed'))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .filter((h) => {
      const key = `${h.status}@${h.at.getTime()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(-MAX_HISTORY_LINES);
  const lines = history.map((h) => historyLine(order, h.status, h.at));
  if (!history.some((h) => h.status === 'shipped') && order.trackingNo) {
    lines.push(`物流：${carrierName(order.carrier)} ${order.trackingNo}`);
  }
  if (latest) lines.push(trackingLine(latest));
  return lines;
}

function shippedAt(order: OrderSnapshot & { history: OrderDetail['history'] }): Date | undefined {
  const event = order.history.filter((h) => h.status === 'shipped').at(-1);
  return event?.at ?? (order.status === 'shipped' ? order.statusAt : undefined);
}

/** When the parcel should arrive: the source's estimate, else ship time + the carrier's usual days. */
export function estimatedDelivery(order: OrderDetail): Date | undefined {
  if (order.estimatedDeliveryAt) return order.estimatedDeliveryAt;
  const shipped = shippedAt(order);
  return shipped ? new Date(shipped.getTime() + transitDays(order.carrier) * DAY_MS) : undefined;
}

function nextForShipped(order: OrderDetail, now: Date): string {
  if (isSigned(order)) {
    if (countsAsDelivered(signoffOf(order))) return '包裹已送达。如有问题可直接回复，我们为您处理售后。';
    return '快递员已扫描签收，但没有签收照片或验证码。如未收到包裹，请回复“没收到货”，我们会加急核查。';
  }
  const eta = estimatedDelivery(order);
  if (!eta) return '包裹运输中，有新进展会及时更新。';
  if (cnDayNumber(eta) < cnDayNumber(now)) return `原预计 ${cnDay(eta)} 送达，已晚于预计时间，我们正在联系快递核查。`;
  return `预计 ${cnDay(eta)} 送达`;
}

/** What happens next, in one sentence. */
export function nextStep(order: OrderDetail, now: Date): string {
  const shipBy = order.promisedShipBy ?? (order.paidAt ? new Date(order.paidAt.getTime() + 48 * HOUR_MS) : undefined);
  switch (order.status) {
    case 'pending_payment':
      return '等待付款，付款后我们会尽快审核发货。';
    case 'paid':
      return `订单审核中，审核通过后安排发货${shipBy ? `，预计 ${cnDay(shipBy)} 前发货` : ''}。`;
    case 'approved':
    case 'picked':
      return shipBy ? `仓库备货中，预计 ${cnDay(shipBy)} 前发货。` : '仓库备货中，发货后会同步快递单号。';
    case 'shipped':
    case 'signed':
      return nextForShipped(order, now);
    case 'cancelled':
      return '订单已取消，如已付款，款项将按原路退回。';
    case 'refunded':
      return '订单已退款，款项将按原路退回。';
    default:
      return '订单已结束，如有问题可直接回复。';
  }
}

function itemsLine(order: OrderDetail): string | undefined {
  const first = order.items[0];
  if (!first) return undefined;
  const total = order.items.reduce((n, i) => n + i.qty, 0);
  const more = order.items.length > 1 ? ` 等共 ${total} 件` : ` ×${first.qty}`;
  return `商品：${first.name}${more}　实付 ¥${(order.amountCents / 100).toFixed(2)}`;
}

function recipientLine(order: OrderDetail): string | undefined {
  const parts = [maskName(order.buyerName), maskPhone(order.phone), maskAddress(order.address)].filter((p) => p);
  return parts.length ? `收货：${parts.join(' ')}` : undefined;
}

/** The full reply for one order. Phone, name and address are masked for every audience. */
export function formatOrderReply(order: OrderDetail, now: Date): string {
  const head = `订单 ${order.orderNo}（${sourceLabel(order.source)}）· 当前：${currentState(order)}`;
  const lines = [head, ...timelineLines(order).map((l) => `· ${l}`)];
  const items = itemsLine(order);
  if (items) lines.push(items);
  const recipient = recipientLine(order);
  if (recipient) lines.push(recipient);
  lines.push(`下一步：${nextStep(order, now)}`);
  return lines.join('\n');
}

/** One line per order for lists (staff searching by phone suffix). */
export function formatOrderListLine(order: OrderDetail): string {
  const when = order.orderedAt ?? order.paidAt;
  const tracking = order.trackingNo ? ` ${carrierName(order.carrier)} ${order.trackingNo}` : '';
  return `${order.orderNo}（${sourceLabel(order.source)}）${when ? `${cnDateTime(when)} ` : ''}${currentState(order)}${tracking} ${maskPhone(order.phone)}`;
}
