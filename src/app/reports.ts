import type { OutboundPicture } from '../channels/channel.ts';
import { chinaCalendarDay, chinaDayStart, HOUR_MS } from '../domain/orders/cn-time.ts';
import { formatHealthReport, type HealthNumbers, healthHeadline, healthRows } from '../domain/reports/health.ts';
import { formatRootCause, type ProblemTicket, rootCauseMap } from '../domain/reports/root-cause.ts';
import type { Logger } from '../lib/logger.ts';
import type { Notifier } from './notify.ts';
import { healthPicture, rootCausePicture } from './report-charts.ts';
import { fmtTime } from './tickets/context.ts';

/**
 * The managers' reports (product.md flow 9): the daily health report and the weekly root-cause report, asked
 * for in chat or pushed to the managers' group at the report time (China).
 */

/** Both reports look back this far (seed 002 measures the sync delay over the last 7 days). */
const REPORT_WINDOW_DAYS = 7;
const DAY_MS = 24 * HOUR_MS;
/** A report not sent within this long after its time (the service was down) waits for the next one. */
const LATE_LIMIT_MS = 2 * HOUR_MS;

/** "健康日报", "健康度", "日报": staff ask for the health report now. */
const HEALTH_REPORT_ASK = /^(?:@\S+\s*)?(?:(?:订单|售后|系统)?健康(?:日报|度|报告|指标)|日报)\s*$/u;
/** "根因周报", "热力图", "问题商品": staff ask for the root-cause report now. */
const ROOT_CAUSE_ASK = /^(?:@\S+\s*)?(?:售后)?(?:根因(?:周报|热力图|报告)?|热力图|问题商品|周报)\s*$/u;

/** Where the reports' numbers come from (store/reports.repo.ts). */
export interface ReportSources {
  health: (since: Date, until: Date) => Promise<HealthNumbers>;
  problemTickets: (since: Date, until: Date) => Promise<ProblemTicket[]>;
}

const windowOf = (now: Date) => new Date(now.getTime() - REPORT_WINDOW_DAYS * DAY_MS);

/** The health report over the last `REPORT_WINDOW_DAYS` days before `now`: its window, numbers and text. */
export async function healthReport(sources: Pick<ReportSources, 'health'>, now: Date) {
  const numbers = await sources.health(windowOf(now), now);
  const label = `近 ${REPORT_WINDOW_DAYS} 天，截至 ${fmtTime(now)}`;
  return { label, numbers, text: formatHealthReport(numbers, { label }) };
}

/** The root-cause report over the last `REPORT_WINDOW_DAYS` days before `now`: its window, map and text. */
export async function rootCauseReport(sources: Pick<ReportSources, 'problemTickets'>, now: Date) {
  const since = windowOf(now);
  const map = rootCauseMap(await sources.problemTickets(since, now));
  const label = `${fmtTime(since)} 至 ${fmtTime(now)}`;
  return { label, map, text: formatRootCause(map, { label }) };
}

/** A report as sent in chat: its text, and the picture that goes with it (none for an empty week). */
export interface ReportMessage {
  text: string;
  picture?: OutboundPicture;
}

/**
 * The picture, or none when drawing it failed: the text says everything the picture shows, so a report is never
 * held back by its chart.
 */
async function pictureOrNone(
  draw: () => Promise<OutboundPicture | undefined>,
  log: Pick<Logger, 'warn'> | undefined,
): Promise<OutboundPicture | undefined> {
  try {
    return await draw();
  } catch (err) {
    log?.warn({ err: err instanceof Error ? err.message : String(err) }, '报表图片生成失败，只发文字');
    return undefined;
  }
}

/** A report's text with its picture. */
async function withPicture(
  text: string,
  draw: () => Promise<OutboundPicture | undefined>,
  log: Pick<Logger, 'warn'> | undefined,
): Promise<ReportMessage> {
  const picture = await pictureOrNone(draw, log);
  return { text, ...(picture ? { picture } : {}) };
}

/** The health report as sent in chat: its text and its card. */
export function healthMessage(r: Awaited<ReturnType<typeof healthReport>>, log?: Pick<Logger, 'warn'>) {
  const rows = healthRows(r.numbers);
  return withPicture(r.text, () => healthPicture(rows, healthHeadline(rows), r.label), log);
}

/** The root-cause report as sent in chat: its text and its heat map (none for a week without goods to blame). */
export function rootCauseMessage(r: Awaited<ReturnType<typeof rootCauseReport>>, log?: Pick<Logger, 'warn'>) {
  return withPicture(r.text, () => rootCausePicture(r.map, r.label), log);
}

/** The answer to a staff member asking for a report, or undefined when the text asks for none. */
export async function reportAsked(
  sources: ReportSources,
  text: string,
  now: Date,
  log?: Pick<Logger, 'warn'>,
): Promise<ReportMessage | undefined> {
  const t = text.trim();
  if (HEALTH_REPORT_ASK.test(t)) return healthMessage(await healthReport(sources, now), log);
  if (ROOT_CAUSE_ASK.test(t)) return rootCauseMessage(await rootCauseReport(sources, now), log);
  return undefined;
}

/**
 * The China date (YYYY-MM-DD) and weekday (0 = Sunday) whose report is due at `now`, for a report time "HH:MM"
 * in China: while within LATE_LIMIT_MS after the time, else undefined (not yet, or too late: a service down at
 * 09:00 does not send the morning's numbers at 17:00).
 */
export function reportDue(at: string, now: Date): { day: string; weekday: number } | undefined {
  const [hh, mm] = at.split(':').map(Number);
  const due = chinaDayStart(now).getTime() + (hh ?? 0) * HOUR_MS + (mm ?? 0) * 60_000;
  const late = now.getTime() - due;
  if (late < 0 || late >= LATE_LIMIT_MS) return undefined;
  const { iso, weekday } = chinaCalendarDay(now);
  return { day: iso, weekday };
}

/** The weekday the root-cause report goes out (Monday, China), looking back over the week before. */
const ROOT_CAUSE_WEEKDAY = 1;

/**
 * The scheduled push to the managers' group at `at` (China time): the health report each day, the root-cause
 * report on Mondays. Run every few minutes by the maintenance scheduler; the outbox keys (one per report and
 * day) make each go once however many workers tick or restart. Returns what it pushed this time, for the
 * maintenance log.
 */
export async function pushScheduledReports(deps: {
  at: string;
  now: Date;
  sources: ReportSources;
  notifier: Notifier;
  log?: Pick<Logger, 'warn'>;
}): Promise<string[]> {
  const due = reportDue(deps.at, deps.now);
  if (!due) return [];
  const to = { group: 'managers' } as const;
  const sent: string[] = [];
  // The scheduler ticks every few minutes through the report's window: a report the group has is not drawn again.
  const push = async (name: string, compose: () => Promise<ReportMessage>) => {
    const dedupeKey = `${name}-${due.day}`;
    if (await deps.notifier.delivered({ to, dedupeKey })) return;
    await deps.notifier.push({ to, kind: 'alert', ...(await compose()), dedupeKey });
    sent.push(name);
  };
  await push('health-report', async () => healthMessage(await healthReport(deps.sources, deps.now), deps.log));
  if (due.weekday === ROOT_CAUSE_WEEKDAY)
    await push('root-cause', async () => rootCauseMessage(await rootCauseReport(deps.sources, deps.now), deps.log));
  return sent;
}
