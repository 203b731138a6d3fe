import { chinaDayStart } from '../../domain/orders/cn-time.ts';
import { maskContactsIn } from '../../domain/orders/mask.ts';
import { STATUS_ZH, type TicketStatus, ticketNameZh, ticketProblemZh } from '../../domain/tickets/lifecycle.ts';
import { PRIORITIES } from '../../domain/tickets/priority.ts';
import type { TicketRepo } from '../../store/tickets.repo.ts';
import { fmtTime } from './context.ts';

/**
 * The ticket queue as supervisors and managers watch it (「超时工单」 in chat, the dashboard's 工单队列): what is
 * open per priority, what is past its SLA and by how long, and the day so far.
 */

/** Open tickets per priority (every priority, 0 where none), in all, and as staff read it: "P1 1 · P2 0 · …". */
export function openCounts(open: Readonly<Record<string, number>>) {
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, open[p] ?? 0]));
  return {
    byPriority,
    total: Object.values(byPriority).reduce((a, b) => a + b, 0),
    text: PRIORITIES.map((p) => `${p} ${byPriority[p]}`).join(' · '),
  };
}

/** "2 小时", "15 分钟", "3 天": how long ago `due` passed at `now` (at least a minute). */
export function lateBy(due: Date, now: Date): string {
  const mins = Math.max(1, Math.round((now.getTime() - due.getTime()) / 60_000));
  if (mins < 60) return `${mins} 分钟`;
  if (mins < 48 * 60) return `${Math.round(mins / 60)} 小时`;
  return `${Math.round(mins / 1440)} 天`;
}

type OverdueTicket = Awaited<ReturnType<TicketRepo['overdue']>>[number];

/** "首响超时 2 小时" or "解决超时 3 天": which deadline a ticket missed, and by how long. */
export function missed(t: OverdueTicket, now: Date): string {
  const firstLate = !t.firstRespondedAt && t.firstResponseDueAt && t.firstResponseDueAt < now;
  return firstLate
    ? `首响超时 ${lateBy(t.firstResponseDueAt as Date, now)}`
    : `解决超时 ${lateBy(t.resolveDueAt as Date, now)}`;
}

/** The deadline a ticket works to next: the first response until there is one, then the resolution. */
export function nextDeadline(t: {
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  resolveDueAt: Date | null;
}): { zh: string; at: Date } | undefined {
  if (t.firstResponseDueAt && !t.firstRespondedAt) return { zh: '首响截止', at: t.firstResponseDueAt };
  return t.resolveDueAt ? { zh: '解决截止', at: t.resolveDueAt } : undefined;
}

/** "首响截止 12/1 07:12": the next deadline as staff read it ('' when there is none). */
export const deadlineText = (t: Parameters<typeof nextDeadline>[0]) => {
  const d = nextDeadline(t);
  return d ? `${d.zh} ${fmtTime(d.at)}` : '';
};

/** One unfinished ticket in the dashboard's list: its next deadline, and whether that has passed. */
export interface OpenRow {
  id: number;
  priority: string;
  status: string;
  problem: string;
  assignee: string;
  unassigned: boolean;
  /** "首响截止 12/1 07:12", "等待顾客回复（SLA 暂停）", or ''. */
  due: string;
  late: boolean;
  summary: string;
}

/** One overdue ticket as the dashboard lists it (the customer's words with phones and addresses masked). */
export interface QueueRow {
  id: number;
  priority: string;
  status: string;
  problem: string;
  assignee: string;
  missed: string;
  summary: string;
}

export interface QueueView {
  /** Open tickets per priority, and in all. */
  open: Record<string, number>;
  openTotal: number;
  /** Past a deadline now, most urgent first (at most `limit`). */
  overdue: QueueRow[];
  /** Every unfinished ticket, most urgent first, then by how soon it must be answered (at most `limit`). */
  unfinished: OpenRow[];
  /** Since midnight in China. */
  today: {
    created: number;
    byProblem: { problem: string; n: number }[];
    resolved: number;
    responded: number;
    medianFirstResponseMins?: number;
    firstResponseLate: number;
  };
}

/** The queue at `now`: open per priority, the overdue tickets, and today's numbers. */
export async function ticketQueue(
  repo: {
    overdue: (now: Date, n: number) => Promise<OverdueTicket[]>;
    openList: (n: number) => Promise<Awaited<ReturnType<TicketRepo['openList']>>>;
    openByPriority: TicketRepo['openByPriority'];
    daySummary: TicketRepo['daySummary'];
  },
  now: Date,
  limit = 50,
): Promise<QueueView> {
  const [list, unfinished, open, day] = await Promise.all([
    repo.overdue(now, limit),
    repo.openList(limit),
    repo.openByPriority(),
    repo.daySummary(chinaDayStart(now), now),
  ]);
  const counts = openCounts(open);
  return {
    open: counts.byPriority,
    openTotal: counts.total,
    overdue: list.map((t) => ({
      id: t.id,
      priority: t.priority,
      status: STATUS_ZH[t.status as TicketStatus] ?? t.status,
      problem: ticketNameZh(t),
      assignee: t.assignee?.name ?? '未分配',
      missed: missed(t, now),
      summary: maskContactsIn(t.summary).slice(0, 40),
    })),
    unfinished: unfinished.map((t) => {
      const next = nextDeadline(t);
      const paused = t.status === 'waiting_customer';
      return {
        id: t.id,
        priority: t.priority,
        status: STATUS_ZH[t.status as TicketStatus] ?? t.status,
        problem: ticketNameZh(t),
        assignee: t.assignee?.name ?? '未分配',
        unassigned: !t.assignee,
        due: paused ? '等待顾客回复（SLA 暂停）' : deadlineText(t),
        late: !paused && next !== undefined && next.at < now,
        summary: maskContactsIn(t.summary).slice(0, 40),
      };
    }),
    today: {
      created: day.created,
      byProblem: day.byProblem.map((p) => ({ problem: ticketProblemZh(p.problem), n: p.n })),
      resolved: day.resolved,
      responded: day.responded,
      ...(day.medianFirstResponseMins !== undefined ? { medianFirstResponseMins: day.medianFirstResponseMins } : {}),
      firstResponseLate: day.firstResponseLate,
    },
  };
}
