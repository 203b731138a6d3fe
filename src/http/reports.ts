import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { healthReport, type ReportSources, rootCauseReport } from '../app/reports.ts';
import type { QueueView } from '../app/tickets/queue.ts';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { healthHeadline, healthRows } from '../domain/reports/health.ts';
import { BANDS } from '../domain/reports/root-cause.ts';
import { ticketProblemZh } from '../domain/tickets/lifecycle.ts';
import { requireBearer } from './admin.ts';

/**
 * The managers' reports on the web (product.md flow 9, "and on the dashboard"): `/dashboard`, a page that reads
 * `/api/reports/health`, `/api/reports/root-cause` and `/api/reports/queue` (the ticket queue: open per
 * priority, what is past its SLA, the day so far). The reports are aggregates; the queue names tickets, their
 * owners and the customer's first words with phones and addresses masked. Read with `Authorization: Bearer
 * <ADMIN_TOKEN>`; without an ADMIN_TOKEN they are open only while the sandbox is (the demo).
 */
export function registerReportRoutes(
  app: FastifyInstance,
  deps: {
    sources: ReportSources;
    queue: (now: Date) => Promise<QueueView>;
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
