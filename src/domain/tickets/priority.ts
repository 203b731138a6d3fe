export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export interface PriorityInput {
  primary: string;
  urgency: 'normal' | 'high' | 'critical';
  cues: string[];
  tier?: string;
  orderValueCents?: number;
  reminderCount: number;
  ageHours?: number;
  /** A minimum set by rules (e.g. signed-but-not-received after an electronic sign-off → P1). */
  floor?: Priority;
}

const ORDER: Priority[] = ['P1', 'P2', 'P3', 'P4'];
const BASE: Record<string, Priority> = {
  safety_issue: 'P1',
  complaint: 'P2',
  damaged: 'P2',
  not_received: 'P2',
  wrong_item: 'P2',
};
const QUERIES = new Set([
  'order_status',
  'logistics_query',
  'refund_progress',
  'invoice',
  'return_info',
  'other',
  'human_agent',
]);

export function raise(p: Priority, levels = 1): Priority {
  return ORDER[Math.max(0, ORDER.indexOf(p) - levels)] ?? 'P1';
}

const higher = (a: Priority, b: Priority): Priority => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);

/** P1–P4 with the reasons that produced it, in Chinese, so staff can see why ("过敏 → safety_issue → P1"). */
export function decidePriority(i: PriorityInput): { priority: Priority; reasons: string[] } {
  const base = BASE[i.primary] ?? (QUERIES.has(i.primary) ? 'P4' : 'P3');
  const cue = i.cues[0];
  const reasons = [`${cue ? `${cue} → ` : ''}${i.primary} → ${base}`];
  let p = base;
  const bump = (to: Priority, why: string) => {
    if (to !== p && higher(to, p) === to) {
      p = to;
      reasons.push(why);
    }
  };
  if (i.urgency === 'critical') bump('P1', `紧急程度 critical（${i.cues.join('、') || '无'}）→ P1`);
  if (i.urgency === 'high') bump(higher(p, 'P2'), `紧急程度 high → 至少 P2`);
  if (i.tier === 'vip') bump(raise(p), 'VIP 客户 → 提升一级');
  if ((i.orderValueCents ?? 0) >= 100_000) bump(raise(p), `订单金额 ≥ ¥1000 → 提升一级`);
  if (i.reminderCount >= 2) bump(raise(p), `第 ${i.reminderCount + 1} 次催促 → 提升一级`);
  if ((i.ageHours ?? 0) > 48) bump(raise(p), '工单已超过 48 小时 → 提升一级');
  if (i.floor) bump(higher(p, i.floor), `规则要求至少 ${i.floor}`);
  return { priority: p, reasons };
}
