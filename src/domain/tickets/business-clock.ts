import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.ts';

/**
 * Working hours per day, weekdays, public holidays and 调休 make-up working days. All dates are
 * 'YYYY-MM-DD' and all times 'HH:MM' in Asia/Shanghai (UTC+8, no DST) whatever the machine TZ.
 * A date in `workdays` works even on a weekend (调休); one in `holidays` rests even on a weekday.
 */
export interface Calendar {
  id: string;
  hours: { start: string; end: string }[];
  /** 0 = Sunday … 6 = Saturday */
  workingWeekdays: number[];
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const CalendarFile = z.object({
  version: z.literal(1),
  /** Raise it when the shipped holiday data changes: only then does a restart replace the stored calendar. */
  revision: z.number().int().min(1).default(1),
  id: z.string().min(1),
  name: z.string(),
  timezone: z.literal('Asia/Shanghai'),
  source: z.string().optional(),
  hours: z
    .array(z.object({ start: hhmm, end: hhmm }))
    .min(1)
    .refine((hs) => hs.every((h, i) => h.start < h.end && (i === 0 || (hs[i - 1]?.end ?? '') <= h.start)), {
      message: '工作时段须按时间先后排列、互不重叠，且开始早于结束',
    }),
  workingWeekdays: z.array(z.number().int().min(0).max(6)),
  holidays: z.array(day),
  workdays: z.array(day),
  provisional: z
    .record(z.string(), z.object({ holidays: z.array(day), workdays: z.array(day), note: z.string().optional() }))
    .optional(),
});

/**
 * Validates a calendar file and merges its `provisional` years (2027 until it is announced) into
 * holidays/workdays, so updating the file is all it takes when the State Council publishes them.
 */
export function calendarFromFile(json: unknown): Calendar {
  const f = CalendarFile.parse(json);
  const prov = Object.values(f.provisional ?? {});
  return {
    id: f.id,
    hours: f.hours,
    workingWeekdays: f.workingWeekdays,
    holidays: new Set([...f.holidays, ...prov.flatMap((p) => p.holidays)]),
    workdays: new Set([...f.workdays, ...prov.flatMap((p) => p.workdays)]),
  };
}

const OFFSET = 8 * 3600_000; // Asia/Shanghai has no DST
const DAY = 24 * 3600_000;
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Start of the Shanghai calendar day containing `t`, as a UTC timestamp. */
function dayStart(t: number): number {
  return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
}

function dayKey(t: number): string {
  return new Date(t + OFFSET).toISOString().slice(0, 10);
}

/** Whether the Shanghai calendar day containing the timestamp `t` (ms) is a working day. */
export function isWorkingDay(t: number, cal: Calendar): boolean {
  const key = dayKey(t);
  if (cal.workdays.has(key)) return true;
  if (cal.holidays.has(key)) return false;
  return cal.workingWeekdays.includes(new Date(t + OFFSET).getUTCDay());
}

function windows(dayStartMs: number, cal: Calendar): [number, number][] {
  return cal.hours.map((h) => [dayStartMs + toMin(h.start) * 60_000, dayStartMs + toMin(h.end) * 60_000]);
}

/** Inside a working window of a working day (window start inclusive, end exclusive). */
export function isWorkingTime(at: Date, cal: Calendar): boolean {
  const t = at.getTime();
  return isWorkingDay(t, cal) && windows(dayStart(t), cal).some(([s, e]) => t >= s && t < e);
}

/**
 * `start` plus `minutes` of working time. Started outside working time, the count begins at the next
 * window; a deadline that lands exactly on a window's end stays there (18:00, not next 09:00).
 * Walks day by day, bounded to ~2 years so a calendar with no working time fails loudly.
 */
export function addBusinessMinutes(start: Date, minutes: number, cal: Calendar): Date {
  let t = start.getTime();
  let remaining = Math.max(0, minutes) * 60_000;
  for (let i = 0; i < 800; i++) {
    const ds = dayStart(t);
    if (isWorkingDay(ds, cal)) {
      for (const [s, e] of windows(ds, cal)) {
        if (t >= e) continue;
        const from = Math.max(t, s);
        if (remaining <= e - from) return new Date(from + remaining);
        remaining -= e - from;
        t = e;
      }
    }
    t = ds + DAY;
  }
  throw new CodedError(
    ErrorCode.ConfigInvalid,
    `工作日历「${cal.id}」中找不到足够的工作时间（检查 hours / workingWeekdays）`,
  );
}

/** Working minutes in [a, b) (0 when b ≤ a), rounded to the minute. */
export function businessMinutesBetween(a: Date, b: Date, cal: Calendar): number {
  let total = 0;
  for (let ds = dayStart(a.getTime()); ds < b.getTime(); ds += DAY) {
    if (!isWorkingDay(ds, cal)) continue;
    for (const [s, e] of windows(ds, cal)) total += Math.max(0, Math.min(e, b.getTime()) - Math.max(s, a.getTime()));
  }
  return Math.round(total / 60_000);
}

const WEEK = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const clock = (t: number) => new Date(t + OFFSET).toISOString().slice(11, 16);

/**
 * "周五 16:30" relative to `from`: 当天 / 周X / 下周X / M月D日 周X. `fromIsNow`: `from` is the moment the reader
 * reads it, so the same day is 今天 and the next 明天.
 */
export function describeTime(t: Date, from: Date, opts: { fromIsNow?: boolean } = {}): string {
  const d = new Date(t.getTime() + OFFSET);
  const wd = WEEK[d.getUTCDay()] ?? '';
  const days = Math.round((dayStart(t.getTime()) - dayStart(from.getTime())) / DAY);
  const fromWd = new Date(from.getTime() + OFFSET).getUTCDay() || 7;
  const toWd = d.getUTCDay() || 7;
  if (days === 0) return `${opts.fromIsNow ? '今天' : '当天'} ${clock(t.getTime())}`;
  if (days === 1 && opts.fromIsNow) return `明天 ${clock(t.getTime())}`;
  if (days > 0 && days < 7 && toWd > fromWd) return `${wd} ${clock(t.getTime())}`;
  if (days > 0 && days < 14 && days + fromWd <= 14 && toWd + 7 - fromWd === days)
    return `下${wd} ${clock(t.getTime())}`;
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${wd} ${clock(t.getTime())}`;
}

/**
 * The deadline in words for staff, e.g. "周五 16:30 创建，工作时间 09:00–12:00/13:30–18:00，首响 2 小时 →
 * 下周一 09:30"; `label` names the target (首响, 解决 …).
 */
export function explainDeadline(start: Date, minutes: number, cal: Calendar, label: string): string {
  const due = addBusinessMinutes(start, minutes, cal);
  const hours = cal.hours.map((h) => `${h.start}–${h.end}`).join('/');
  const span = minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`;
  const startText = `${WEEK[new Date(start.getTime() + OFFSET).getUTCDay()]} ${clock(start.getTime())}`;
  return `${startText} 创建，工作时间 ${hours}，${label} ${span} → ${describeTime(due, start)}`;
}

/** "周一至周五" for a run of weekdays, else "周一、周三、周六". Monday first, as a Chinese week reads. */
function weekdaysText(days: readonly number[]): string {
  const order = [...new Set(days)].map((d) => (d === 0 ? 7 : d)).sort((a, b) => a - b);
  const name = (d: number) => WEEK[d % 7] ?? '';
  const first = order[0];
  const last = order.at(-1);
  if (first === undefined || last === undefined) return '';
  const contiguous = order.every((d, i) => d === first + i);
  if (order.length >= 3 && contiguous) return `${name(first)}至${name(last)}`;
  return order.map(name).join('、');
}

/**
 * When people are at work, for a customer asking "你们几点下班": the hours, whether it is working time now,
 * and if not, when it next is ("下周一 09:00").
 */
export function describeServiceHours(cal: Calendar, now: Date): string {
  const hours = cal.hours.map((h) => `${h.start}–${h.end}`).join('、');
  const head = `人工客服工作时间：${weekdaysText(cal.workingWeekdays)} ${hours}，法定节假日休息（调休上班日照常）。`;
  if (isWorkingTime(now, cal)) return `${head}现在是工作时间。`;
  const next = addBusinessMinutes(now, 0, cal);
  const local = new Date(next.getTime() + OFFSET);
  // After a long holiday "下周四" alone is easy to misread: the date goes with it.
  const date =
    dayStart(next.getTime()) - dayStart(now.getTime()) >= 2 * DAY
      ? `（${local.getUTCMonth() + 1} 月 ${local.getUTCDate()} 日）`
      : '';
  return `${head}现在不在工作时间，下次上班是 ${describeTime(next, now, { fromIsNow: true })}${date}。`;
}
