import type { ReportSources } from '../app/reports.ts';
import { credibilityRates } from '../domain/orders/signoff.ts';
import type { HealthNumbers } from '../domain/reports/health.ts';
import type { ProblemTicket } from '../domain/reports/root-cause.ts';
import { PRODUCT_PROBLEMS } from '../domain/tickets/lifecycle.ts';
import type { Sql } from './db.ts';
import { signoffCounts } from './orders.repo.ts';
import { toDate, toJson, ts, utcColumn } from './sql-time.ts';
import { firstResponses } from './tickets.repo.ts';

/**
 * The five numbers of the daily health report (domain/reports/health.ts) over [since, until), measured as seed
 * 002 describes where our data allows:
 * - sync delay: orders placed in the window, 下单时间 (orderedAt) to the row reaching us (createdAt);
 * - credibility: sign-off events in the window with evidence (photo, OTP, locker) ÷ all of them;
 * - first response: tickets first answered in the window, from opening to that answer;
 * - order changes: 修改/取消订单 tickets resolved in the window, those not reopened ÷ all (requests the customer
 *   withdrew left out) — the bot does not change orders itself, so the ticket's outcome stands for the change;
 * - consistency: orders updated in the window without an open cross-source conflict (radar kind data_conflict).
 */
export async function healthNumbers(sql: Sql, since: Date, until: Date): Promise<HealthNumbers> {
  const window = [ts(since), ts(until)];
  const [sync, first, changes, consistency, signoffs] = await Promise.all([
    sql.query<{ median_s: number | null; n: number }>(
      `SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, extract(epoch FROM "createdAt" - "orderedAt"))))::float8
                AS median_s, count(*)::int AS n
       FROM "Order" WHERE "orderedAt" >= $1::timestamp(3) AND "orderedAt" < $2::timestamp(3)`,
      window,
    ),
    firstResponses(sql, since, until),
    sql.query<{ ok: number; n: number }>(
      `SELECT count(*) FILTER (WHERE t."reopenCount" = 0)::int AS ok, count(*)::int AS n
       FROM "Ticket" t
       WHERE t.problem = 'order_change' AND t."resolvedAt" >= $1::timestamp(3) AND t."resolvedAt" < $2::timestamp(3)
         AND NOT EXISTS (SELECT 1 FROM "TicketEvent" e
                         WHERE e."ticketId" = t.id AND e.type = 'status' AND e.reason LIKE '撤回申请%')`,
      window,
    ),
    sql.query<{ bad: number; n: number }>(
      `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "AnomalyFinding" f
                 WHERE f."orderId" = o.id AND f.kind = 'data_conflict' AND f.status = 'open'))::int AS bad,
              count(*)::int AS n
       FROM "Order" o WHERE o."updatedAt" >= $1::timestamp(3) AND o."updatedAt" < $2::timestamp(3)`,
      window,
    ),
    signoffCounts(sql, since, until),
  ]);
  const s = sync[0];
  const c = changes[0];
  const k = consistency[0];
  const { overall } = credibilityRates(signoffs);
  return {
    ...(s && s.n > 0 && s.median_s !== null ? { syncDelayMedianSec: Number(s.median_s) } : {}),
    syncOrders: s?.n ?? 0,
    ...(overall.signed > 0 ? { credibility: overall.rate } : {}),
    signed: overall.signed,
    ...(first.medianMins !== undefined ? { firstResponseMedianMin: first.medianMins } : {}),
    responded: first.responded,
    ...(c && c.n > 0 ? { orderChangeSuccess: c.ok / c.n } : {}),
    orderChanges: c?.n ?? 0,
    ...(k && k.n > 0 ? { consistency: 1 - k.bad / k.n } : {}),
    checkedOrders: k?.n ?? 0,
  };
}

/** The week's product-problem tickets (opened in [since, until)) with their orders' goods, for the root-cause map. */
export async function productProblemTickets(sql: Sql, since: Date, until: Date): Promise<ProblemTicket[]> {
  const rows = await sql.query<{
    problem: string;
    summary: string;
    createdAt: unknown;
    items: unknown;
    guessed: boolean | null;
  }>(
    `SELECT t.problem, t.summary, ${utcColumn('createdAt', 't')}, o.items,
            (t.flags->>'orderGuessed')::boolean AS guessed
     FROM "Ticket" t LEFT JOIN "Order" o ON o.id = t."orderId"
     WHERE t.problem = ANY($3::text[]) AND t."createdAt" >= $1::timestamp(3) AND t."createdAt" < $2::timestamp(3)`,
    [ts(since), ts(until), [...PRODUCT_PROBLEMS]],
  );
  return rows.map((r) => ({
    problem: r.problem,
    summary: r.summary,
    createdAt: toDate(r.createdAt) ?? since,
    ...(r.guessed ? { orderGuessed: true } : {}),
    items: toJson<{ sku?: unknown; name?: unknown }[]>(r.items, []).flatMap((i) =>
      typeof i.sku === 'string' && typeof i.name === 'string' ? [{ sku: i.sku, name: i.name }] : [],
    ),
  }));
}

/** The managers' reports read from the database (app/reports.ts). */
export const createReportSources = (sql: Sql): ReportSources => ({
  health: (since, until) => healthNumbers(sql, since, until),
  problemTickets: (since, until) => productProblemTickets(sql, since, until),
});
