/**
 * Order exports (product.md, Security and data: "bulk exports above 100 orders need a manager's approval"; the
 * audit log records who exported what). Pure: which orders a filter asks for, what a row shows (phone, name and
 * address masked as in chat), and the words the requester and the managers read.
 */
import { z } from 'zod';
import { cnDateTime, DAY_MS, HOUR_MS } from './cn-time.ts';
import { maskAddress, maskName, maskPhone } from './mask.ts';
import {
  ORDER_SOURCES,
  ORDER_STATUSES,
  type OrderSource,
  type OrderStatus,
  SOURCE_LABEL,
  STATE_LABEL,
} from './types.ts';

/** Orders one export may hold without a manager's approval. */
export const EXPORT_APPROVAL_THRESHOLD = 100;
/** An approval is good for this long after the manager's decision. */
export const EXPORT_APPROVAL_VALID_MS = 24 * HOUR_MS;
/** A request nobody decided within this long lapses: the orders it would export have moved on. */
export const EXPORT_REQUEST_VALID_MS = 7 * DAY_MS;

/** The request lapsed undecided at `now`. */
export const lapsed = (r: { status: string; createdAt: Date }, now: Date) =>
  r.status === 'pending' && now.getTime() - r.createdAt.getTime() > EXPORT_REQUEST_VALID_MS;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式是 YYYY-MM-DD')
  // Round trip through a Date: "2026-02-30" parses (as March 2) but does not come back the same.
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, '不是有效日期');

/** Which orders: placed (下单) on these China days, in this status, from this shop. All optional. */
export const ExportFilterSchema = z.strictObject({
  since: Day.optional(),
  until: Day.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  source: z.enum(ORDER_SOURCES).optional(),
});
export type ExportFilter = z.infer<typeof ExportFilterSchema>;

/** The filter's time range as instants: [from, to) over 下单时间, China days. */
export function exportWindow(f: ExportFilter): { from?: Date; to?: Date } {
  const from = f.since ? new Date(`${f.since}T00:00:00+08:00`) : undefined;
  const to = f.until ? new Date(new Date(`${f.until}T00:00:00+08:00`).getTime() + DAY_MS) : undefined;
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** "下单日期 2026-11-01 至 2026-11-30，状态 已发货，来源 天猫", or "全部订单". */
export function describeFilter(f: ExportFilter): string {
  const parts: string[] = [];
  if (f.since || f.until) parts.push(`下单日期 ${f.since ?? '最早'} 至 ${f.until ?? '今天'}`);
  if (f.status) parts.push(`状态 ${STATE_LABEL[f.status]}`);
  if (f.source) parts.push(`来源 ${SOURCE_LABEL[f.source]}`);
  return parts.length > 0 ? parts.join('，') : '全部订单';
}

/** One order as the database gives it for an export. */
export interface ExportOrder {
  orderNo: string;
  source: string;
  status: string;
  orderedAt?: Date;
  paidAt?: Date;
  amountCents: number;
  buyerName?: string;
  phone?: string;
  address?: string;
  carrier?: string;
  trackingNo?: string;
  items: readonly { sku: string; name: string; qty: number }[];
}

export const EXPORT_COLUMNS = [
  '订单号',
  '来源',
  '状态',
  '下单时间',
  '付款时间',
  '金额（元）',
  '收件人',
  '手机号',
  '收货地址',
  '快递公司',
  '运单号',
  '商品',
] as const;

/** The row an export shows: personal data masked exactly as staff see it in chat. */
export function exportRow(o: ExportOrder): string[] {
  return [
    o.orderNo,
    SOURCE_LABEL[o.source as OrderSource] ?? o.source,
    STATE_LABEL[o.status as OrderStatus] ?? o.status,
    o.orderedAt ? cnDateTime(o.orderedAt) : '',
    o.paidAt ? cnDateTime(o.paidAt) : '',
    (o.amountCents / 100).toFixed(2),
    maskName(o.buyerName),
    maskPhone(o.phone),
    maskAddress(o.address),
    o.carrier ?? '',
    o.trackingNo ?? '',
    o.items.map((i) => `${i.name}（${i.sku}）×${i.qty}`).join('；'),
  ];
}

export type ExportRequestStatus = 'pending' | 'approved' | 'rejected';

/** An export waiting for, or decided by, a manager. */
export interface ExportRequest {
  id: number;
  filter: ExportFilter;
  count: number;
  requestedBy: string;
  status: ExportRequestStatus;
  decidedBy?: string;
  decidedAt?: Date;
  reason?: string;
  createdAt: Date;
}

/** Who asked, as people read it: "admin:张三" → "管理员 张三", "cli:张三" → "张三（命令行）". */
export function requesterZh(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const name = rest.join(':');
  if (kind === 'admin') return name ? `管理员 ${name}` : '管理员';
  if (kind === 'cli') return name ? `${name}（命令行）` : '命令行';
  return actor;
}

/** The push managers get: who asks for how many orders of what, and how to answer. */
export function approvalAsk(r: ExportRequest): string {
  return [
    `导出审批 #${r.id}：${requesterZh(r.requestedBy)} 申请导出 ${r.count} 个订单（${describeFilter(r.filter)}）。`,
    `超过 ${EXPORT_APPROVAL_THRESHOLD} 个订单的导出需要经理批准；导出文件里的手机号、姓名和地址都是打码的。`,
    `回复「批准导出 ${r.id}」或「拒绝导出 ${r.id} 理由」。`,
  ].join('\n');
}

/** Why a request cannot be downloaded now, or undefined when it can (approved within the last 24 h). */
export function downloadBlock(r: ExportRequest, now: Date): string | undefined {
  if (lapsed(r, now)) return `导出申请 #${r.id} 超过 7 天没有经理审批，已失效，请重新申请。`;
  if (r.status === 'pending') return `导出申请 #${r.id} 还在等经理批准（${r.count} 个订单）。`;
  if (r.status === 'rejected')
    return `导出申请 #${r.id} 已被 ${r.decidedBy ?? '经理'} 拒绝${r.reason ? `：${r.reason}` : ''}。`;
  if (!r.decidedAt || now.getTime() - r.decidedAt.getTime() > EXPORT_APPROVAL_VALID_MS)
    return `导出申请 #${r.id} 的批准已超过 24 小时，请重新申请。`;
  return undefined;
}
