import { hash } from 'node:crypto';
import { z } from 'zod';
import type { OrderStatus } from '../domain/orders/types.ts';
import { carrier, code, instant, int, jsonCell, opt, phone, req, source, status, text, yuan } from './fields.ts';

/**
 * One order as an ERP, a CSV export or the HTTP API sends it (snake_case keys). Validated per row, so a
 * bad row is reported with its line number and never stops the good ones.
 */

const ItemSchema = z.object({
  sku: req(text('sku', 64), '商品缺少 sku'),
  name: req(text('商品名称', 200), '商品缺少 name'),
  qty: req(int('商品数量', 1, 100_000), '商品缺少数量 qty'),
  price: opt(yuan('商品单价')),
  price_cents: opt(int('商品单价（分）', 0, 2_000_000_000)),
});

const HistorySchema = z.object({
  status: req(status, '状态记录缺少 status'),
  at: req(instant('状态时间'), '状态记录缺少时间'),
});

/** Status timestamps that may come as columns (paid_at, shipped_at, …). */
const STATUS_COLUMNS = {
  paid_at: 'paid',
  approved_at: 'approved',
  picked_at: 'picked',
  shipped_at: 'shipped',
  signed_at: 'signed',
  cancelled_at: 'cancelled',
  closed_at: 'closed',
  refunded_at: 'refunded',
} as const satisfies Record<string, OrderStatus>;

export const OrderRowSchema = z.object({
  order_no: req(code('订单号'), '缺少订单号'),
  source: req(source, '缺少来源渠道'),
  status: req(status, '缺少订单状态'),
  buyer_name: opt(text('买家姓名', 60)),
  buyer_id: opt(text('买家ID', 120)),
  phone: opt(phone),
  address: opt(text('收货地址', 300)),
  amount: opt(yuan('实付金额')),
  amount_cents: opt(int('实付金额（分）', 0, 2_000_000_000)),
  ordered_at: opt(instant('下单时间')),
  paid_at: opt(instant('支付时间')),
  approved_at: opt(instant('审核时间')),
  picked_at: opt(instant('拣货时间')),
  shipped_at: opt(instant('发货时间')),
  signed_at: opt(instant('签收时间')),
  cancelled_at: opt(instant('取消时间')),
  closed_at: opt(instant('关闭时间')),
  refunded_at: opt(instant('退款时间')),
  carrier: opt(carrier),
  tracking_no: opt(code('运单号', 40)),
  promised_ship_by: opt(instant('承诺发货时间')),
  estimated_delivery_at: opt(instant('预计送达时间')),
  address_change_count: opt(int('地址修改次数', 0, 1000)),
  items: opt(jsonCell('items')).pipe(z.array(ItemSchema, { error: 'items 必须是商品数组' }).max(200).optional()),
  status_history: opt(jsonCell('status_history')).pipe(
    z.array(HistorySchema, { error: 'status_history 必须是状态记录数组' }).max(100).optional(),
  ),
});

export interface OrderItemInput {
  sku: string;
  name: string;
  qty: number;
  priceCents: number;
}

/** A validated, normalised order ready for the upsert. */
export interface OrderInput {
  orderNo: string;
  source: string;
  status: string;
  /** When the current status was entered, if the source says. */
  statusAt?: Date;
  buyerName?: string;
  buyerPlatformId?: string;
  phone?: string;
  phoneLast4?: string;
  address?: string;
  amountCents: number;
  orderedAt?: Date;
  paidAt?: Date;
  carrier?: string;
  trackingNo?: string;
  promisedShipBy?: Date;
  estimatedDeliveryAt?: Date;
  addressChangeCount?: number;
  items: OrderItemInput[];
  history: { status: string; at: Date }[];
  /** Hash of everything above: an unchanged re-import is a no-op. */
  contentHash: string;
}

type Row = z.infer<typeof OrderRowSchema>;

const STATUS_COLUMN_ENTRIES = Object.entries(STATUS_COLUMNS) as [keyof typeof STATUS_COLUMNS, OrderStatus][];

/** Status columns and status_history merged: one entry per (status, time), oldest first. */
function historyOf(row: Row): { status: string; at: Date }[] {
  const events: { status: string; at: Date }[] = [];
  const add = (s: string, at: Date | undefined) => {
    if (!at) return;
    const t = at.getTime();
    if (!events.some((e) => e.status === s && e.at.getTime() === t)) events.push({ status: s, at });
  };
  for (const [column, s] of STATUS_COLUMN_ENTRIES) add(s, row[column]);
  for (const h of row.status_history ?? []) add(h.status, h.at);
  // Insertion sort (stable, like Array#sort): a handful of entries, nearly in order already — the status
  // columns come in lifecycle order — and Array#sort allocated a work array for every imported row.
  for (let i = 1; i < events.length; i++) {
    const e = events[i] as { status: string; at: Date };
    let j = i - 1;
    while (j >= 0 && (events[j] as { at: Date }).at.getTime() > e.at.getTime()) {
      events[j + 1] = events[j] as { status: string; at: Date };
      j--;
    }
    events[j + 1] = e;
  }
  return events;
}

function itemsOf(row: Row, issues: string[]): OrderItemInput[] {
  const items = (row.items ?? []).map((i) => ({
    sku: i.sku,
    name: i.name,
    qty: i.qty,
    priceCents: i.price_cents ?? i.price ?? 0,
  }));
  const skus = new Set<string>();
  for (const i of items) {
    if (skus.has(i.sku)) issues.push(`商品 SKU 重复：${i.sku}（同一 SKU 请合并为一行并累加数量）`);
    skus.add(i.sku);
  }
  return items;
}

function statusAtOf(row: Row, history: { status: string; at: Date }[]): Date | undefined {
  return history.filter((h) => h.status === row.status).at(-1)?.at;
}

const SEP = '\u001f';
const part = (v: string | number | Date | undefined) =>
  v === undefined ? '' : v instanceof Date ? String(v.getTime()) : String(v);

/**
 * Hash over a canonical rendering of the normalised order (field order fixed, dates as epoch ms), so the
 * same order written as CSV or JSONL, "199" or "199.00", hashes the same. Hand-built rather than
 * JSON.stringify: this runs for every imported row.
 */
export function contentHash(o: Omit<OrderInput, 'contentHash'>): string {
  const fields = [
    o.orderNo,
    o.source,
    o.status,
    o.statusAt,
    o.buyerName,
    o.buyerPlatformId,
    o.phone,
    o.address,
    o.amountCents,
    o.orderedAt,
    o.paidAt,
    o.carrier,
    o.trackingNo,
    o.promisedShipBy,
    o.estimatedDeliveryAt,
    o.addressChangeCount,
  ].map(part);
  for (const i of o.items) fields.push(i.sku, i.name, String(i.qty), String(i.priceCents));
  fields.push('|');
  for (const h of o.history) fields.push(h.status, String(h.at.getTime()));
  return hash('sha256', fields.join(SEP), 'hex').slice(0, 32);
}

/** Validate and normalise one raw row; returns the issues in Chinese when it cannot be stored. */
export function toOrderInput(raw: unknown): { ok: true; value: OrderInput } | { ok: false; errors: string[] } {
  const parsed = OrderRowSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues) };
  const row = parsed.data;
  const issues: string[] = [];
  const items = itemsOf(row, issues);
  if (row.tracking_no && !row.carrier) issues.push('有运单号 tracking_no 时必须填写快递公司 carrier');
  if (issues.length) return { ok: false, errors: issues };
  const history = historyOf(row);
  const amountCents = row.amount_cents ?? row.amount ?? items.reduce((n, i) => n + i.qty * i.priceCents, 0);
  const body = {
    orderNo: row.order_no,
    source: row.source,
    status: row.status,
    statusAt: statusAtOf(row, history),
    buyerName: row.buyer_name,
    buyerPlatformId: row.buyer_id,
    phone: row.phone,
    phoneLast4: row.phone?.slice(-4),
    address: row.address,
    amountCents,
    orderedAt: row.ordered_at ?? history[0]?.at,
    paidAt: row.paid_at,
    carrier: row.carrier,
    trackingNo: row.tracking_no,
    promisedShipBy: row.promised_ship_by,
    estimatedDeliveryAt: row.estimated_delivery_at,
    addressChangeCount: row.address_change_count,
    items,
    history,
  };
  return { ok: true, value: { ...body, contentHash: contentHash(body) } };
}

/** zod issues → "字段 phone：手机号格式不正确" lines. */
export function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}：${i.message}` : i.message;
  });
}
