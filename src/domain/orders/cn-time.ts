/**
 * Dates as Chinese customers read them, always in China time (Asia/Shanghai), whatever the server's zone.
 */

const TZ = 'Asia/Shanghai';
const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function pick(d: Date): { y: number; mo: number; d: number; h: string; mi: string } {
  const map = new Map(parts.formatToParts(d).map((p) => [p.type, p.value]));
  return {
    y: Number(map.get('year')),
    mo: Number(map.get('month')),
    d: Number(map.get('day')),
    h: map.get('hour') ?? '00',
    mi: map.get('minute') ?? '00',
  };
}

/** "11月24日" */
export function cnDay(date: Date): string {
  const p = pick(date);
  return `${p.mo}月${p.d}日`;
}

/** "11-20 10:02" — compact, for timelines. */
export function cnDateTime(date: Date): string {
  const p = pick(date);
  return `${String(p.mo).padStart(2, '0')}-${String(p.d).padStart(2, '0')} ${p.h}:${p.mi}`;
}

/** The China calendar day as a comparable number (20261124). */
export function cnDayNumber(date: Date): number {
  const p = pick(date);
  return p.y * 10_000 + p.mo * 100 + p.d;
}

/** Whole hours between two instants, rounded down. */
export function hoursBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 3_600_000);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The hour of the day (0–23) in China at `ms`: Asia/Shanghai is always UTC+8 (no daylight saving). */
export function chinaHour(ms: number): number {
  return Math.floor(((((ms + 8 * HOUR_MS) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** Midnight in China at the start of the day `date` falls on there (Asia/Shanghai: UTC+8, no daylight saving). */
export function chinaDayStart(date: Date): Date {
  return new Date(Math.floor((date.getTime() + 8 * HOUR_MS) / DAY_MS) * DAY_MS - 8 * HOUR_MS);
}

/** The China calendar day of `date`: "2026-12-01", and its weekday (0 = Sunday). */
export function chinaCalendarDay(date: Date): { iso: string; weekday: number } {
  const wall = new Date(date.getTime() + 8 * HOUR_MS);
  return { iso: wall.toISOString().slice(0, 10), weekday: wall.getUTCDay() };
}
