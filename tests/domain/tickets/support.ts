import { readFileSync } from 'node:fs';
import { type Calendar, calendarFromFile } from '../../../src/domain/tickets/business-clock.ts';

/** Reads a seed file under prisma/seed/tickets (tests run from the repo root). */
export const seed = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../prisma/seed/tickets/${name}`, import.meta.url), 'utf8'));

/** The shipped mainland calendar: 09:00–12:00 / 13:30–18:00, holidays and 调休 2025–2027. */
export const cnCal: Calendar = calendarFromFile(seed('calendar-cn-mainland.json'));
/** The same days on a 9–17 day without lunch break. */
export const nineToFive: Calendar = { ...cnCal, id: 'nine-to-five', hours: [{ start: '09:00', end: '17:00' }] };

/** Shanghai wall-clock time "YYYY-MM-DDTHH:MM" → Date, whatever the machine TZ. */
export const sh = (s: string): Date => new Date(`${s}:00+08:00`);
/** Date → Shanghai wall-clock "YYYY-MM-DD HH:MM". */
export const fmt = (d: Date): string =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
