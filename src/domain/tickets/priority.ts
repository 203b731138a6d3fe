/** P1 is the most urgent. */
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export interface PriorityInput {
  /** Primary intent of the parse (shared/docs/intents.md). */
  primary: string;
  /** The intent's 中文名 (安全问题, 退货退款), which the reasons show; the id when absent. */
  primaryZh?: string;
  urgency: 'normal' | 'high' | 'critical';
  /** Urgency cue words found in the message (过敏, 12315 …). */
  cues: string[];
  /** Customer tier; `vip` raises one level. */
  tier?: string;
  orderValueCents?: number;
  /** Earlier messages about the same problem (0 for the message that opens the ticket). */
  reminderCount: number;
  /** Age of the ticket in hours, when re-deciding an existing ticket. */
  ageHours?: number;
  /** A minimum set by rules (e.g. signed-but-not-received after an electronic sign-off → P1). */
  floor?: Priority;
}

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

const BASE: Readonly<Record<string, Priority>> = {
  safety_issue: 'P1',
  complaint: 'P2',
  // A customer waiting for a person: the hand-off is the work, due within the P2 first response.
  human_agent: 'P2',
  damaged: 'P2',
  not_received: 'P2',
  wrong_item: 'P2',
};
/** Questions: answered, not worked on, so lowest. */
const QUERIES = new Set(['order_status', 'logistics_query', 'refund_progress', 'invoice', 'return_info', 'other']);
const URGENCY_ZH = { normal: '普通', high: '高', critical: '危急' } as const;

/** `p` raised by `levels` (default 1), never above P1. */
export function raise(p: Priority, levels = 1): Priority {
  return PRIORITIES[Math.max(0, PRIORITIES.indexOf(p) - levels)] ?? 'P1';
}

/** `p` lowered by one level, never below P4. */
export function lower(p: Priority): Priority {
  return PRIORITIES[Math.min(PRIORITIES.length - 1, PRIORITIES.indexOf(p) + 1)] ?? 'P4';
}

/** The more urgent of two priorities. */
export function higher(a: Priority, b: Priority): Priority {
  return PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b;
}

/** The base priority of an intent before any raise. */
export function basePriority(primary: string): Priority {
  return BASE[primary] ?? (QUERIES.has(primary) ? 'P4' : 'P3');
}

/**
 * P1–P4 with the reasons that produced it, in Chinese, so staff can see why ("过敏 → 安全问题 → P1",
 * "VIP 客户 → 提升一级"). Only steps that changed the result are listed after the base, so
 * the list reads as the path to the final priority. Raises apply in a fixed order: urgency, VIP,
 * order value, reminders, age, then the rules' floor.
 */
export function decidePriority(i: PriorityInput): { priority: Priority; reasons: string[] } {
  const base = basePriority(i.primary);
  const cue = i.cues[0];
  const reasons = [`${cue ? `${cue} → ` : ''}${i.primaryZh ?? i.primary} → ${base}`];
  let p = base;
  const bump = (to: Priority, why: string) => {
    if (higher(to, p) !== p) {
      p = to;
      reasons.push(why);
    }
  };
  const cues = i.cues.length ? `（${i.cues.join('、')}）` : '';
  if (i.urgency === 'critical') bump('P1', `紧急程度${URGENCY_ZH.critical}${cues} → P1`);
  if (i.urgency === 'high') bump(higher(p, 'P2'), `紧急程度${URGENCY_ZH.high}${cues} → 至少 P2`);
  if (i.tier === 'vip') bump(raise(p), 'VIP 客户 → 提升一级');
  if ((i.orderValueCents ?? 0) >= 100_000) bump(raise(p), '订单金额 ≥ ¥1000 → 提升一级');
  if (i.reminderCount >= 2) bump(raise(p), `第 ${i.reminderCount + 1} 次催促 → 提升一级`);
  if ((i.ageHours ?? 0) > 48) bump(raise(p), '工单已超过 48 小时 → 提升一级');
  if (i.floor) bump(higher(p, i.floor), `规则要求至少 ${i.floor}`);
  return { priority: p, reasons };
}
