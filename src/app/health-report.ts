import { HOUR_MS } from '../domain/orders/cn-time.ts';
import { formatHealthReport, type HealthNumbers } from '../domain/reports/health.ts';
import type { Notifier } from './notify.ts';
import { fmtTime } from './tickets/context.ts';

/** The health report looks back this far (seed 002 measures the sync delay over the last 7 days). */
export const HEALTH_WINDOW_DAYS = 7;
const DAY_MS = 24 * HOUR_MS;
/** A report not sent within this long after its time (the service was down) waits for the next day. */
const LATE_LIMIT_MS = 2 * HOUR_MS;

/** "健康日报", "健康度", "日报": staff ask for the report now. */
export const HEALTH_REPORT_ASK = /^(?:@\S+\s*)?(?:(?:订单|售后|系统)?健康(?:日报|度|报告|指标)|日报)\s*$/u;

/** The report over the `HEALTH_WINDOW_DAYS` days before `now`, as text. */
export async function healthReportText(
  measure: (since: Date, until: Date) => Promise<HealthNumbers>,
  now: Date,
): Promise<string> {
  const since = new Date(now.getTime() - HEALTH_WINDOW_DAYS * DAY_MS);
  const numbers = await measure(since, now);
  return formatHealthReport(numbers, { label: `近 ${HEALTH_WINDOW_DAYS} 天，截至 ${fmtTime(now)}` });
}

/**
 * When today's report is due at `now`, for a report time "HH:MM" in China: that day's date (YYYY-MM-DD, China)
 * while within LATE_LIMIT_MS after the time, else undefined (not yet, or too late: a service down at 09:00 does
 * not send yesterday's numbers at 17:00).
 */
export function reportDue(at: string, now: Date): string | undefined {
  const [hh, mm] = at.split(':').map(Number);
  const china = new Date(now.getTime() + 8 * HOUR_MS);
  const day = china.toISOString().slice(0, 10);
  const dueChina = Date.parse(`${day}T00:00:00Z`) + (hh ?? 0) * HOUR_MS + (mm ?? 0) * 60_000;
  const late = china.getTime() - dueChina;
  return late >= 0 && late < LATE_LIMIT_MS ? day : undefined;
}

/**
 * The daily push to the managers' group at `at` (China time). Run every few minutes by the maintenance
 * scheduler; the outbox key (one per day) makes it once a day however many workers tick or restart.
 * Returns what it did, for the maintenance log.
 */
export async function pushDailyHealthReport(deps: {
  at: string;
  now: Date;
  measure: (since: Date, until: Date) => Promise<HealthNumbers>;
  notifier: Notifier;
}): Promise<'sent' | 'not_due'> {
  const day = reportDue(deps.at, deps.now);
  if (!day) return 'not_due';
  const text = await healthReportText(deps.measure, deps.now);
  await deps.notifier.push({ to: { group: 'managers' }, kind: 'alert', text, dedupeKey: `health-report-${day}` });
  return 'sent';
}
