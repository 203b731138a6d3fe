import { z } from 'zod';

export interface LadderStep {
  level: number;
  role: 'agent' | 'supervisor' | 'manager';
  delayMins: number;
  zh: string;
}

export const LadderFile = z.object({
  version: z.literal(1),
  steps: z
    .array(
      z.object({
        level: z.number().int().min(1).max(9),
        role: z.enum(['agent', 'supervisor', 'manager']),
        delayMins: z.number().int().min(0),
        zh: z.string(),
      }),
    )
    .min(1),
});

export function ladderFromFile(json: unknown): LadderStep[] {
  return [...LadderFile.parse(json).steps].sort((a, b) => a.level - b.level);
}

export type EscalationCause = 'sla_breach' | 'critical' | 'complaint' | 'reopen' | 'manual';

/** Complaints (12315 / 投诉 / 曝光 / 律师 / 媒体) go straight to a manager; a reopen climbs one level. */
export function startLevel(cause: EscalationCause, opts: { escalateToManager: boolean; currentLevel: number }): number {
  if (cause === 'complaint' || opts.escalateToManager) return 3;
  if (cause === 'reopen') return Math.min(3, Math.max(1, opts.currentLevel + 1));
  return 1;
}

export function nextLevel(ladder: readonly LadderStep[], level: number): LadderStep | undefined {
  return ladder.find((s) => s.level > level);
}

const ACK = /(?:收到|确认|ack)\s*[#＃]?\s*(\d{1,9})/i;

/** "收到 #123", "收到#123", "收到 123", "ack 123", "确认 #12" → the ticket id. */
export function parseAck(text: string): number | undefined {
  const m = ACK.exec(text.trim());
  return m?.[1] ? Number(m[1]) : undefined;
}

const CAUSE_ZH: Record<EscalationCause, string> = {
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

/** The push a level receives, with the ack instruction. */
export function pushText(p: {
  ticketId: number;
  priority: string;
  level: number;
  cause: EscalationCause;
  summary: string;
  customer: string;
  dueAt?: Date;
  statusZh: string;
}): { title: string; text: string; buttonLabel: string } {
  const title = `【${p.priority}·第${p.level}级升级】工单 #${p.ticketId}：${CAUSE_ZH[p.cause]}`;
  const lines = [
    title,
    `顾客：${p.customer}`,
    `问题：${p.summary}`,
    `状态：${p.statusZh}${p.dueAt ? `，首响截止 ${fmt(p.dueAt)}` : ''}`,
    `回复「收到 #${p.ticketId}」确认，未确认将继续升级。`,
  ];
  return { title, text: lines.join('\n'), buttonLabel: '收到' };
}
