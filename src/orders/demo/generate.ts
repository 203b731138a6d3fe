import { address, DEMO_CARRIERS, type DemoCarrier, mobile, PRODUCTS, personName, WAREHOUSES } from './catalog.ts';
import { createRng, type Rng } from './rng.ts';
import { FORCED, plan, SCENARIO_WEIGHTS, type Scenario } from './scenarios.ts';
import { stageTimes } from './stage-times.ts';
import { buildTrack, type DemoEvent, type SignoffKindName } from './tracks.ts';

/** One order row as the import files carry it (snake_case, China-time strings). */
export interface DemoOrderRow {
  order_no: string;
  items: { sku: string; name: string; qty: number; price: string }[];
  [column: string]: string | number | undefined | DemoOrderRow['items'];
}
export type DemoLogisticsRow = Record<string, string | undefined>;

export interface DemoData {
  orders: DemoOrderRow[];
  logistics: DemoLogisticsRow[];
  /** Sandbox users and the demo orders bound to them (so `c1` can ask "我的订单到哪了" at once). */
  sandbox: { user: string; name: string; phone: string; orderNos: string[] }[];
  /** Scenario per order number, for tests and the operator's summary. */
  scenarios: Map<string, Scenario | 'cancel_loop'>;
}

interface Buyer {
  name: string;
  phone: string;
  address: { text: string; city: string; district: string };
}

const SOURCE_CARRIERS: Record<string, string[]> = {
  tmall: ['sf', 'zto', 'yto', 'yunda', 'sto', 'ems'],
  jd: ['jd', 'jd', 'jd', 'sf'],
  pdd: ['zto', 'yto', 'yunda', 'jtexpress', 'sto'],
  douyin: ['zto', 'yto', 'jtexpress', 'yunda', 'sf'],
  own: ['sf', 'sf', 'zto', 'ems'],
};
const SOURCES = ['tmall', 'jd', 'pdd', 'douyin', 'own'] as const;

/** "2026-11-20 10:02:33" in China time: what a Chinese ERP export looks like. */
export function chinaTime(d: Date | undefined): string | undefined {
  if (!d) return undefined;
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function orderNo(source: string, rng: Rng, seq: string, day: Date): string {
  const ymd = chinaTime(day)?.slice(0, 10).replace(/-/g, '') ?? '20260101';
  switch (source) {
    case 'tmall':
      return `3${rng.digits(11)}${seq}`;
    case 'jd':
      return `3${rng.digits(4)}${seq}`;
    case 'pdd':
      return `${ymd.slice(2)}-${rng.digits(8)}${seq}`;
    case 'douyin':
      return `69${rng.digits(10)}${seq}`;
    default:
      return `SO${ymd}${seq.slice(1)}`;
  }
}

function buyerId(source: string, rng: Rng): string {
  const prefix: Record<string, string> = { tmall: 'tb', jd: 'jd_', pdd: 'pdd', douyin: 'dy', own: 'u' };
  return `${prefix[source] ?? 'u'}${rng.digits(9)}`;
}

function items(rng: Rng): { rows: DemoOrderRow['items']; cents: number } {
  const picked = new Map<string, { sku: string; name: string; qty: number; priceCents: number }>();
  for (let n = rng.int(1, 3); n > 0; n--) {
    const p = rng.pick(PRODUCTS);
    picked.set(p.sku, { ...p, qty: rng.chance(0.8) ? 1 : 2 });
  }
  const rows = [...picked.values()].map((p) => ({
    sku: p.sku,
    name: p.name,
    qty: p.qty,
    price: (p.priceCents / 100).toFixed(2),
  }));
  const total = [...picked.values()].reduce((s, p) => s + p.qty * p.priceCents, 0);
  const discount = rng.chance(0.4) ? Math.round(total * rng.int(2, 10) * 0.01) : 0;
  return { rows, cents: total - discount + (total < 9900 ? 1000 : 0) };
}

function signoffMix(rng: Rng, carrier: DemoCarrier): () => SignoffKindName {
  return () => rng.weighted(carrier.signoff);
}

interface Ctx {
  rng: Rng;
  now: Date;
  out: DemoData;
}

type Times = ReturnType<typeof stageTimes>;

function timeColumns(t: Times, ordered: Date): Record<string, string | undefined> {
  return {
    ordered_at: chinaTime(ordered),
    paid_at: chinaTime(t.paid),
    approved_at: chinaTime(t.approved),
    picked_at: chinaTime(t.picked),
    shipped_at: chinaTime(t.shipped),
    signed_at: chinaTime(t.signed),
    cancelled_at: chinaTime(t.cancelled),
    refunded_at: chinaTime(t.refunded),
    promised_ship_by: chinaTime(t.paid ? new Date(t.paid.getTime() + 48 * 3_600_000) : undefined),
  };
}

function pushEvents(ctx: Ctx, track: DemoEvent[], parcel: { no: string; trackingNo?: string; carrier: string }): void {
  for (const e of track) {
    ctx.out.logistics.push({
      tracking_no: parcel.trackingNo,
      carrier: parcel.carrier,
      at: chinaTime(e.at),
      kind: e.kind,
      description: e.description,
      location: e.location,
      signoff_kind: e.signoff,
      network: e.network,
      // Some feeds do not carry the order no; those events are linked by tracking no.
      order_no: ctx.rng.chance(0.9) ? parcel.no : undefined,
    });
  }
}

function addOrder(ctx: Ctx, seqNo: number, scenario: Scenario, buyer: Buyer): string {
  const { rng, now } = ctx;
  const seq = String(seqNo).padStart(7, '0');
  const source = rng.pick(SOURCES);
  const carrier =
    DEMO_CARRIERS.find((c) => c.id === rng.pick(SOURCE_CARRIERS[source] ?? ['sf'])) ??
    (DEMO_CARRIERS[0] as DemoCarrier);
  const p = plan(scenario, rng, now, signoffMix(rng, carrier));
  const warehouse = rng.pick(WAREHOUSES);
  const track =
    p.track && p.track.stages > 0
      ? buildTrack(rng, { carrierName: carrier.name, origin: warehouse, dest: buyer.address, ...p.track })
      : [];
  const t = stageTimes(p, track, rng, now);
  const ordered = t.ordered ?? now;
  const no = orderNo(source, rng, seq, ordered);
  const trackingNo = t.shipped || track.length ? carrier.trackingNo(rng, seq) : undefined;
  const { rows, cents } = items(rng);
  const eta =
    t.shipped && (source === 'tmall' || source === 'jd')
      ? new Date(t.shipped.getTime() + (carrier.id === 'sf' || carrier.id === 'jd' ? 2 : 3) * 86_400_000)
      : undefined;
  ctx.out.orders.push({
    order_no: no,
    source,
    status: p.status,
    buyer_name: buyer.name,
    buyer_id: buyerId(source, rng),
    phone: buyer.phone,
    address: buyer.address.text,
    amount: (cents / 100).toFixed(2),
    ...timeColumns(t, ordered),
    carrier: trackingNo ? carrier.id : undefined,
    tracking_no: trackingNo,
    estimated_delivery_at: chinaTime(eta),
    address_change_count: p.addressChanges,
    items: rows,
  });
  pushEvents(ctx, track, { no, trackingNo, carrier: carrier.id });
  ctx.out.scenarios.set(no, scenario);
  return no;
}

function newBuyer(rng: Rng): Buyer {
  return { name: personName(rng), phone: mobile(rng), address: address(rng) };
}

/** Three cancelled orders and a fresh one by the same buyer within days: the radar's cancel/re-order loop. */
function addCancelLoop(ctx: Ctx, seq: () => number): void {
  const buyer = newBuyer(ctx.rng);
  for (let i = 0; i < 3; i++) ctx.out.scenarios.set(addOrder(ctx, seq(), 'cancelled_recent', buyer), 'cancel_loop');
  ctx.out.scenarios.set(addOrder(ctx, seq(), 'paid_recent', buyer), 'cancel_loop');
}

/**
 * Deterministic demo data: the same `seed` and `now` give the same rows. Every anomaly scenario appears at
 * least once (then the rest is drawn by weight), and sandbox users c1 and c2 own a few orders each.
 */
export function generateDemoData(opts: { orders: number; seed: number; now: Date }): DemoData {
  const rng = createRng(opts.seed);
  const ctx: Ctx = { rng, now: opts.now, out: { orders: [], logistics: [], sandbox: [], scenarios: new Map() } };
  let n = 0;
  const seq = () => ++n;
  const c1 = newBuyer(rng);
  const c2 = newBuyer(rng);
  const c1Orders = (['in_transit', 'electronic_recent', 'paid_recent'] as const).map((s) =>
    addOrder(ctx, seq(), s, c1),
  );
  const c2Orders = (['stuck_no_tracking', 'delivered'] as const).map((s) => addOrder(ctx, seq(), s, c2));
  ctx.out.sandbox.push({ user: 'c1', name: c1.name, phone: c1.phone, orderNos: c1Orders });
  ctx.out.sandbox.push({ user: 'c2', name: c2.name, phone: c2.phone, orderNos: c2Orders });
  for (const s of FORCED) if (n < opts.orders) addOrder(ctx, seq(), s, newBuyer(rng));
  if (n + 4 <= opts.orders) addCancelLoop(ctx, seq);
  while (n < opts.orders) {
    if (rng.chance(0.005) && n + 4 <= opts.orders) addCancelLoop(ctx, seq);
    else addOrder(ctx, seq(), rng.weighted(SCENARIO_WEIGHTS), newBuyer(rng));
  }
  return ctx.out;
}
