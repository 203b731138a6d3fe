import type { TicketRepo } from '../../store/tickets.repo.ts';
import { fmtTime, TICKET_STAFF_ROLES } from './context.ts';

/**
 * How each colleague on the ticket side is doing (「客服绩效」 in chat, the dashboard's 客服工作量): what they own
 * now, and what they did in the last `days` days. Tickets count for whoever owns them now — a ticket handed
 * over counts for the new owner.
 */
export interface AgentRow {
  /** null for the row of tickets nobody owns. */
  id: string | null;
  name: string;
  role: string | null;
  open: number;
  overdue: number;
  resolved: number;
  responded: number;
  respondedLate: number;
  medianFirstResponseMins?: number;
  ratings: { good: number; okay: number; bad: number };
}

export interface TeamView {
  days: number;
  since: Date;
  agents: AgentRow[];
}

const ROLE_ZH: Readonly<Record<string, string>> = { agent: '客服', supervisor: '主管', manager: '经理' };
export const roleZh = (role: string | null) => (role ? (ROLE_ZH[role] ?? role) : '');

/** The team at `now` over the last `days` days, busiest first (most unfinished, then most overdue), nobody's last. */
export async function teamView(
  repo: Pick<TicketRepo, 'agentStats'>,
  now: Date,
  days = 7,
  roles: readonly string[] = TICKET_STAFF_ROLES,
): Promise<TeamView> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const rows = await repo.agentStats(since, now, roles);
  const agents: AgentRow[] = rows.map((r) => ({
    id: r.id,
    name: r.name ?? '未分配',
    role: r.role,
    open: r.open,
    overdue: r.overdue,
    resolved: r.resolved,
    responded: r.responded,
    respondedLate: r.responded_late,
    ...(r.median_first_min != null ? { medianFirstResponseMins: Math.round(Number(r.median_first_min)) } : {}),
    ratings: { good: r.good, okay: r.okay, bad: r.bad },
  }));
  agents.sort(
    (a, b) =>
      Number(a.id === null) - Number(b.id === null) ||
      b.open - a.open ||
      b.overdue - a.overdue ||
      b.resolved - a.resolved ||
      a.name.localeCompare(b.name, 'zh'),
  );
  return { days, since, agents };
}

/** "12 分钟", "3.5 小时": a first-response time as people say it. */
export function minutesText(mins: number): string {
  if (mins < 1) return '不到 1 分钟';
  if (mins < 120) return `${Math.round(mins)} 分钟`;
  return `${Math.round(mins / 6) / 10} 小时`;
}

/** "满意 3 · 一般 1 · 不满意 0", or '' when nobody rated. */
export function ratingsText(r: AgentRow['ratings']): string {
  return r.good + r.okay + r.bad === 0 ? '' : `满意 ${r.good} · 一般 ${r.okay} · 不满意 ${r.bad}`;
}

/** The team as one chat message: a line per colleague. */
export function teamText(view: TeamView, now: Date): string {
  const lines = view.agents.map((a) => {
    const open = `未完成 ${a.open}${a.overdue > 0 ? `（超时 ${a.overdue}）` : ''}`;
    if (a.id === null) return `· 未分配：${open}`;
    const parts = [open, `已解决 ${a.resolved}`];
    if (a.responded > 0 && a.medianFirstResponseMins !== undefined) {
      parts.push(
        `首响 ${a.responded} 张，中位 ${minutesText(a.medianFirstResponseMins)}${a.respondedLate > 0 ? `，超时 ${a.respondedLate} 张` : ''}`,
      );
    }
    const rated = ratingsText(a.ratings);
    if (rated) parts.push(rated);
    return `· ${a.name}（${roleZh(a.role)}）：${parts.join('；')}`;
  });
  const head = `客服工作量（近 ${view.days} 天，${fmtTime(view.since)} 至 ${fmtTime(now)}；按当前负责人统计）：`;
  return lines.length === 0 ? `${head}\n暂无客服。` : [head, ...lines].join('\n');
}
