import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { healthReport, type ReportSources, rootCauseReport } from '../app/reports.ts';
import type { QueueView } from '../app/tickets/queue.ts';
import { minutesText, ratingsText, roleZh, type TeamView } from '../app/tickets/team.ts';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { healthHeadline, healthRows } from '../domain/reports/health.ts';
import { BANDS } from '../domain/reports/root-cause.ts';
import { ticketProblemZh } from '../domain/tickets/lifecycle.ts';
import { requireBearer } from './admin.ts';

/**
 * The managers' reports on the web (product.md flow 9, "and on the dashboard"): `/dashboard`, a page that reads
 * `/api/reports/health`, `/api/reports/root-cause`, `/api/reports/queue` (the ticket queue: open per
 * priority, what is past its SLA, the day so far) and `/api/reports/team` (each colleague's load). The reports are aggregates; the queue names tickets, their
 * owners and the customer's first words with phones and addresses masked. Read with `Authorization: Bearer
 * <ADMIN_TOKEN>`; without an ADMIN_TOKEN they are open only while the sandbox is (the demo).
 */
export function registerReportRoutes(
  app: FastifyInstance,
  deps: {
    sources: ReportSources;
    queue: (now: Date) => Promise<QueueView>;
    /** Each colleague's load and the last `days` days (客服工作量). */
    team: (now: Date, days: number) => Promise<TeamView>;
    token: string | undefined;
    sandbox: boolean;
    now?: () => Date;
  },
): void {
  const now = deps.now ?? (() => new Date());
  const authorize = (req: FastifyRequest) => {
    if (!deps.token) {
      if (deps.sandbox) return;
      throw new CodedError(ErrorCode.Forbidden, '报表接口未启用：请设置 ADMIN_TOKEN');
    }
    requireBearer(req, deps.token);
  };
  const page = readFile(new URL('./dashboard.html', import.meta.url), 'utf8');

  app.get('/dashboard', async (_req, reply) => reply.type('text/html; charset=utf-8').send(await page));

  app.get('/api/reports/health', async (req) => {
    authorize(req);
    const r = await healthReport(deps.sources, now());
    const rows = healthRows(r.numbers);
    return { label: r.label, headline: healthHeadline(rows), rows, text: r.text };
  });

  app.get('/api/reports/queue', async (req) => {
    authorize(req);
    return deps.queue(now());
  });

  /** `?days=` 1–90 (default 7). Names colleagues and counts only: no customer data. */
  app.get('/api/reports/team', async (req) => {
    authorize(req);
    const raw = (req.query as { days?: string }).days;
    const days = raw === undefined ? 7 : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > 90)
      throw new CodedError(ErrorCode.BadRequest, 'days 必须是 1 到 90 之间的整数');
    const t = now();
    const view = await deps.team(t, days);
    // The words as chat says them (客服绩效), so the page shows the same.
    const agents = view.agents.map((a) => ({
      ...a,
      roleZh: roleZh(a.role),
      firstResponseText: a.medianFirstResponseMins === undefined ? '—' : minutesText(a.medianFirstResponseMins),
      ratingsText: ratingsText(a.ratings) || '—',
    }));
    return { days: view.days, since: view.since.toISOString(), until: t.toISOString(), agents };
  });

  app.get('/api/reports/root-cause', async (req) => {
    authorize(req);
    const r = await rootCauseReport(deps.sources, now());
    const problems = [...new Set(r.map.rows.flatMap((row) => Object.keys(row.byProblem)))].sort();
    return {
      label: r.label,
      tickets: r.map.tickets,
      unattributed: r.map.unattributed,
      problems: problems.map((key) => ({ key, name: ticketProblemZh(key) })),
      bands: BANDS,
      rows: r.map.rows,
      text: r.text,
    };
  });
}
