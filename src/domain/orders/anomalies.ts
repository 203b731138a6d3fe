import { z } from 'zod';
import { carrierName } from './carriers.ts';
import { hoursBetween } from './cn-time.ts';
import { EVENT_LABEL, isOrderStatus, PRE_SHIP_STATUSES } from './types.ts';

/**
 * The anomaly radar's rules (seed 004's four kinds; the fourth, customer feedback, is handled by tickets).
 * Pure: one order's facts + now + thresholds → findings. Thresholds and routing are data
 * ({@link RadarConfigSchema}), so operations can tune them without a release.
 */

export const ANOMALY_KINDS = [
  'stuck_review',
  'stuck_unshipped',
  'stuck_no_tracking',
  'stuck_tracking',
  'data_conflict',
  'address_changes',
  'cancel_loop',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
export type AlertGroup = 'warehouse' | 'managers';
export type AnomalyFamily = 'stuck' | 'conflict' | 'behaviour';

export const KIND_INFO: Record<AnomalyKind, { family: AnomalyFamily; label: string }> = {
  stuck_review: { family: 'stuck', label: '待审核超时' },
  stuck_unshipped: { family: 'stuck', label: '付款后超时未发货' },
  stuck_no_tracking: { family: 'stuck', label: '发货后无物流轨迹' },
  stuck_tracking: { family: 'stuck', label: '物流长时间未更新' },
  data_conflict: { family: 'conflict', label: '多系统数据冲突' },
  address_changes: { family: 'behaviour', label: '反复修改收货地址' },
  cancel_loop: { family: 'behaviour', label: '频繁取消重下' },
};

export const FAMILY_LABEL: Record<AnomalyFamily, string> = {
  stuck: '状态卡顿',
  conflict: '数据冲突',
  behaviour: '行为异常',
};

const group = z.enum(['warehouse', 'managers']);
export const RadarConfigSchema = z.object({
  pendingReviewHours: z.number().positive().default(24),
  unshippedHours: z.number().positive().default(48),
  noTrackingHours: z.number().positive().default(24),
  trackingStaleHours: z.number().positive().default(72),
  /** tracking already moving while the order still says "not shipped" */
  conflictGraceHours: z.number().nonnegative().default(2),
  /** carrier says signed, order still "shipped" (ERPs sync sign-offs in batches) */
  signedSyncGraceHours: z.number().nonnegative().default(24),
  addressChangesMin: z.number().int().positive().default(3),
  cancelLoopMin: z.number().int().positive().default(3),
  cancelLoopWindowDays: z.number().positive().default(7),
  routes: z
    .object({
      stuck_review: group.default('managers'),
      stuck_unshipped: group.default('warehouse'),
      stuck_no_tracking: group.default('warehouse'),
      stuck_tracking: group.default('warehouse'),
      data_conflict: group.default('managers'),
      address_changes: group.default('managers'),
      cancel_loop: group.default('managers'),
    })
    .prefault({}),
});
export type RadarConfig = z.infer<typeof RadarConfigSchema>;
export const DEFAULT_RADAR_CONFIG: RadarConfig = RadarConfigSchema.parse({});

/** The facts the radar needs about one order (one table scan, no joins). */
export interface RadarOrder {
  id: string;
  orderNo: string;
  status: string;
  statusAt?: Date;
  paidAt?: Date;
  carrier?: string;
  trackingNo?: string;
  lastTrackingAt?: Date;
  lastTrackingKind?: string;
  addressChangeCount: number;
  /** Cancelled orders by the same buyer inside the window; set only on the buyer's latest live order. */
  buyerCancels?: number;
}

export interface Finding {
  orderId: string;
  orderNo: string;
  kind: AnomalyKind;
  /** What the finding is about; the same order and kind with a new fingerprint is a new finding. */
  fingerprint: string;
  group: AlertGroup;
  /** One Chinese sentence for the alert. */
  text: string;
  detail: Record<string, unknown>;
}

type Rule = (o: RadarOrder, now: Date, c: RadarConfig) => Omit<Finding, 'orderId' | 'orderNo' | 'group'> | undefined;

const ts = (d: Date | undefined) => (d ? d.toISOString() : '-');
const statusText = (s: string) => (isOrderStatus(s) ? EVENT_LABEL[s] : s);
const parcel = (o: RadarOrder) => (o.trackingNo ? `（${carrierName(o.carrier)} ${o.trackingNo}）` : '');

const stuckReview: Rule = (o, now, c) => {
  if (o.status !== 'paid' || !o.statusAt) return undefined;
  const h = hoursBetween(o.statusAt, now);
  if (h < c.pendingReviewHours) return undefined;
  const text = `已付款 ${h} 小时仍待审核（阈值 ${c.pendingReviewHours} 小时）`;
  return { kind: 'stuck_review', fingerprint: `paid@${ts(o.statusAt)}`, text, detail: { hours: h } };
};

const stuckUnshipped: Rule = (o, now, c) => {
  if (o.status !== 'approved' && o.status !== 'picked') return undefined;
  const since = o.paidAt ?? o.statusAt;
  if (!since) return undefined;
  const h = hoursBetween(since, now);
  if (h < c.unshippedHours) return undefined;
  const text = `付款后 ${h} 小时仍未发货（阈值 ${c.unshippedHours} 小时），当前：${statusText(o.status)}`;
  return { kind: 'stuck_unshipped', fingerprint: `${o.status}@${ts(since)}`, text, detail: { hours: h } };
};

const stuckNoTracking: Rule = (o, now, c) => {
  if (o.status !== 'shipped' || o.lastTrackingAt || !o.statusAt) return undefined;
  const h = hoursBetween(o.statusAt, now);
  if (h < c.noTrackingHours) return undefined;
  const text = `已发货 ${h} 小时仍无物流轨迹${parcel(o)}（阈值 ${c.noTrackingHours} 小时）`;
  return { kind: 'stuck_no_tracking', fingerprint: `shipped@${ts(o.statusAt)}`, text, detail: { hours: h } };
};

const stuckTracking: Rule = (o, now, c) => {
  if (o.status !== 'shipped' || !o.lastTrackingAt || o.lastTrackingKind === 'signed') return undefined;
  const h = hoursBetween(o.lastTrackingAt, now);
  if (h < c.trackingStaleHours) return undefined;
  const text = `物流 ${h} 小时未更新${parcel(o)}（阈值 ${c.trackingStaleHours} 小时）`;
  return { kind: 'stuck_tracking', fingerprint: `last@${ts(o.lastTrackingAt)}`, text, detail: { hours: h } };
};

function conflictOf(o: RadarOrder, now: Date, c: RadarConfig): { code: string; text: string } | undefined {
  const last = o.lastTrackingAt;
  if (!last) return undefined;
  const h = hoursBetween(last, now);
  if (PRE_SHIP_STATUSES.includes(o.status) && h >= c.conflictGraceHours) {
    return { code: 'tracking_before_ship', text: `快递已有物流轨迹，但订单仍为「${statusText(o.status)}」` };
  }
  const signed = o.lastTrackingKind === 'signed';
  if (o.status === 'shipped' && signed && h >= c.signedSyncGraceHours) {
    return { code: 'signed_not_synced', text: `快递已签收 ${h} 小时，订单仍为「已发货」` };
  }
  if (o.status === 'signed' && !signed && h >= c.conflictGraceHours) {
    return { code: 'signed_without_signoff', text: '订单标记为「已签收」，但快递轨迹尚未签收' };
  }
  const cancelled = o.status === 'cancelled' || o.status === 'refunded';
  if (cancelled && o.statusAt && last.getTime() > o.statusAt.getTime() && h >= c.conflictGraceHours) {
    const what = o.status === 'cancelled' ? '取消' : '退款';
    return { code: 'moving_after_cancel', text: `订单已${what}，但包裹仍有新的物流轨迹（拦截可能失败）` };
  }
  return undefined;
}

const dataConflict: Rule = (o, now, c) => {
  const conflict = conflictOf(o, now, c);
  if (!conflict) return undefined;
  const text = `数据冲突：${conflict.text}${parcel(o)}`;
  return { kind: 'data_conflict', fingerprint: `${conflict.code}:${o.status}`, text, detail: { code: conflict.code } };
};

const addressChanges: Rule = (o, _now, c) => {
  if (o.addressChangeCount < c.addressChangesMin) return undefined;
  if (o.status === 'cancelled' || o.status === 'closed' || o.status === 'refunded') return undefined;
  const text = `收货地址已修改 ${o.addressChangeCount} 次（阈值 ${c.addressChangesMin} 次），请核实是否本人操作`;
  return { kind: 'address_changes', fingerprint: `n=${o.addressChangeCount}`, text, detail: {} };
};

const cancelLoop: Rule = (o, _now, c) => {
  const n = o.buyerCancels ?? 0;
  if (n < c.cancelLoopMin) return undefined;
  const text = `同一买家 ${c.cancelLoopWindowDays} 天内已取消 ${n} 单后又下此单，请核查是否刷单或误操作`;
  return { kind: 'cancel_loop', fingerprint: `cancels=${n}`, text, detail: { cancels: n } };
};

const RULES: Rule[] = [
  stuckReview,
  stuckUnshipped,
  stuckNoTracking,
  stuckTracking,
  dataConflict,
  addressChanges,
  cancelLoop,
];

/** Every anomaly of one order at `now`; at most one finding per kind. */
export function detectAnomalies(order: RadarOrder, now: Date, config: RadarConfig = DEFAULT_RADAR_CONFIG): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const f = rule(order, now, config);
    if (f) findings.push({ ...f, orderId: order.id, orderNo: order.orderNo, group: config.routes[f.kind] });
  }
  return findings;
}
