import { z } from 'zod';

/** One rung: who is pushed at `level`, and how long an unacknowledged push waits before climbing. */
export interface LadderStep {
  level: number;
  role: 'agent' | 'supervisor' | 'manager';
  delayMins: number;
  zh: string;
}

/** prisma/seed/tickets/escalation-ladder.json */
export const LadderFile = z.object({
  version: z.literal(1),
  steps: z
    .array(
      z.object({
        level: z.number().int().min(1).max(9),
        role: z.enum(['agent', 'supervisor', 'manager']),
        // Minutes; decimals allowed (0.5 = 30 s) for teams that climb fast, and for tests in real time.
        delayMins: z
          .number()
          .min(0)
          .max(7 * 24 * 60),
        zh: z.string(),
      }),
    )
    .min(1)
    .refine((steps) => new Set(steps.map((x) => x.level)).size === steps.length, { message: '升级层级不能重复' }),
});

/** The validated ladder, sorted by level. */
export function ladderFromFile(json: unknown): LadderStep[] {
  return [...LadderFile.parse(json).steps].sort((a, b) => a.level - b.level);
}

export type EscalationCause = 'sla_breach' | 'critical' | 'complaint' | 'reopen' | 'manual';

/**
 * Where an escalation starts. Complaints (12315 / 投诉 / 曝光 / 律师 / 媒体, or any cause with
 * `escalateToManager`) go straight to the manager (3); a reopened ticket starts one level above
 * where it was (1–3); every other cause starts at the on-duty agent (1).
 */
export function startLevel(cause: EscalationCause, opts: { escalateToManager: boolean; currentLevel: number }): number {
  if (cause === 'complaint' || opts.escalateToManager) return 3;
  if (cause === 'reopen') return Math.min(3, Math.max(1, opts.currentLevel + 1));
  return 1;
}

/** The step after `level`, or `undefined` at the top (the climb stops there). */
export function nextLevel(ladder: readonly LadderStep[], level: number): LadderStep | undefined {
  return ladder.find((s) => s.level > level);
}

/**
 * An ack starts the message (after any @mentions). With "#" the id may be followed by more words
 * ("收到 #123，马上处理"); a bare number must end the message, so "收到3件" or "确认一下 12 号订单"
 * never acknowledges a push.
 */
const ACK = /^(?:@\S+\s+)*(?:收到|确认|ack)\s*(?:[#＃]\s*(\d{1,9})(?!\d)|(\d{1,9})\s*[。.!！]?$)/i;

/** "收到 #123", "收到#123", "收到 123", "ack 123", "确认 #12" → the ticket id; anything else → undefined. */
export function parseAck(text: string): number | undefined {
  const m = ACK.exec(text.trim());
  const id = m?.[1] ?? m?.[2];
  return id ? Number(id) : undefined;
}

/** Words that send a complaint straight to the manager level (shared/docs/product.md flow 4). */
export const MANAGER_CUES: readonly string[] = ['12315', '投诉', '曝光', '律师', '媒体'];

/** Whether any cue (or the raw text) names one of {@link MANAGER_CUES}. */
export function needsManager(cues: readonly string[], text = ''): boolean {
  return MANAGER_CUES.some((c) => cues.includes(c) || text.includes(c));
}

/** Escalation causes as staff read them. */
export const CAUSE_ZH: Record<EscalationCause, string> = {
  sla_breach: 'SLA 超时',
  critical: '紧急问题',
  complaint: '顾客投诉',
  reopen: '工单被重开',
  manual: '人工升级',
};

const OFFSET = 8 * 3600_000;
const fmt = (d: Date) => {
  const s = new Date(d.getTime() + OFFSET).toISOString();
  return `${Number(s.slice(5, 7))}月${Number(s.slice(8, 10))}日 ${s.slice(11, 16)}`;
};

/**
 * The push a level receives (WeCom template card / DingTalk action card / sandbox), with the ack
 * instruction; `buttonLabel` is the card button that sends the same ack.
 */
export function pushText(p: {
  ticketId: number;
  priority: string;
  level: number;
  cause: EscalationCause;
  summary: string;
  customer: string;
  dueAt?: Date;
  /** What `dueAt` is the deadline of; default 首响截止. */
  dueLabel?: string;
  statusZh: string;
}): { title: string; text: string; buttonLabel: string } {
  const title = `【${p.priority}·第${p.level}级升级】工单 #${p.ticketId}：${CAUSE_ZH[p.cause]}`;
  const lines = [
    title,
    `顾客：${p.customer}`,
    `问题：${p.summary}`,
    `状态：${p.statusZh}${p.dueAt ? `，${p.dueLabel ?? '首响截止'} ${fmt(p.dueAt)}` : ''}`,
    `回复「收到 #${p.ticketId}」确认，未确认将继续升级。`,
  ];
  return { title, text: lines.join('\n'), buttonLabel: '收到' };
}
