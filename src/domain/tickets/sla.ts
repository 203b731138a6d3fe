import { z } from 'zod';
import { addBusinessMinutes, type Calendar } from './business-clock.ts';
import type { Priority } from './priority.ts';

/** Targets for one priority. `revision` goes up on every edit so timers keyed by it are replaced. */
export interface SlaPolicy {
  id: string;
  name: string;
  priority: Priority;
  firstResponseMins: number;
  /** Progress update to the customer every N minutes while the ticket is open (critical lane: 15). */
  nextUpdateMins?: number;
  resolutionMins: number;
  /** Warn when this fraction of a target has elapsed (0.8 → at 80 %). */
  warnFraction: number;
  /** Count only working time of `calendarId` (true) or wall-clock time (false). */
  businessHours: boolean;
  calendarId: string;
  revision: number;
  /** Where the numbers come from (article, team agreement). */
  source?: string;
}

export const SlaPolicySchema: z.ZodType<SlaPolicy> = z.object({
  id: z.string().min(1),
  name: z.string(),
  priority: z.enum(['P1', 'P2', 'P3', 'P4']),
  firstResponseMins: z.number().int().positive(),
  nextUpdateMins: z.number().int().positive().optional(),
  resolutionMins: z.number().int().positive(),
  warnFraction: z.number().gt(0, 'warnFraction 须大于 0').lt(1, 'warnFraction 须小于 1'),
  businessHours: z.boolean(),
  calendarId: z.string().min(1),
  revision: z.number().int().positive(),
  source: z.string().optional(),
});

/** prisma/seed/tickets/sla-policies.json: one policy per priority. */
export const SlaPoliciesFile = z
  .object({ version: z.literal(1), policies: z.array(SlaPolicySchema).min(1) })
  .refine((f) => new Set(f.policies.map((p) => p.priority)).size === f.policies.length, {
    message: '每个优先级只能有一条 SLA 策略',
  });

export type TimerKind = 'first_response' | 'next_update' | 'resolution';
export const TIMER_KINDS: readonly TimerKind[] = ['first_response', 'next_update', 'resolution'];
/** Timer names as staff read them. */
export const TIMER_ZH: Record<TimerKind, string> = {
  first_response: '首次响应',
  next_update: '进度更新',
  resolution: '解决',
};

/** What the clock needs from a ticket. */
export interface SlaClockState {
  createdAt: Date;
  firstRespondedAt?: Date;
  /** Last progress update sent to the customer. */
  lastUpdateAt?: Date;
  resolvedAt?: Date;
  /** Set while waiting on the customer: no timer runs. */
  pausedAt?: Date;
  /** Wall-clock minutes spent waiting on the customer so far; deadlines move back by this much. */
  pausedMinutes: number;
  /**
   * Optional: the same pauses counted in working minutes of the policy's calendar. When given,
   * business-hours deadlines use it (exact even when a pause spans a night or a weekend).
   */
  pausedBusinessMinutes?: number;
  /** Optional: when the last pause ended; the progress-update cycle restarts from there. */
  resumedAt?: Date;
}

export interface Deadline {
  timer: TimerKind;
  dueAt: Date;
  warnAt: Date;
}

/** `from` + `minutes` on the policy's clock, after moving `from` back by `pausedMs` of wall time. */
function dueFrom(from: Date, minutes: number, p: SlaPolicy, cal: Calendar, pausedMs: number): Date {
  return p.businessHours
    ? addBusinessMinutes(new Date(from.getTime() + pausedMs), minutes, cal)
    : new Date(from.getTime() + pausedMs + minutes * 60_000);
}

function deadline(
  timer: TimerKind,
  from: Date,
  minutes: number,
  p: SlaPolicy,
  cal: Calendar,
  s: SlaClockState,
): Deadline {
  if (p.businessHours && s.pausedBusinessMinutes !== undefined) {
    const extra = s.pausedBusinessMinutes;
    return {
      timer,
      dueAt: addBusinessMinutes(from, minutes + extra, cal),
      warnAt: addBusinessMinutes(from, Math.floor(minutes * p.warnFraction) + extra, cal),
    };
  }
  const pausedMs = s.pausedMinutes * 60_000;
  return {
    timer,
    dueAt: dueFrom(from, minutes, p, cal, pausedMs),
    warnAt: dueFrom(from, Math.floor(minutes * p.warnFraction), p, cal, pausedMs),
  };
}

/** The progress-update cycle counts from the latest update or resume; before either, from the start. */
function nextUpdateDeadline(s: SlaClockState, p: SlaPolicy, cal: Calendar, every: number): Deadline {
  const anchors = [s.lastUpdateAt, s.resumedAt].filter((d): d is Date => d !== undefined);
  if (anchors.length === 0) return deadline('next_update', s.firstRespondedAt ?? s.createdAt, every, p, cal, s);
  const latest = new Date(Math.max(...anchors.map((d) => d.getTime())));
  return deadline('next_update', latest, every, p, cal, { ...s, pausedMinutes: 0, pausedBusinessMinutes: 0 });
}

/**
 * The running deadlines: first response until answered, a progress update every `nextUpdateMins`,
 * and resolution. None while paused (waiting on the customer) or once resolved; time spent paused
 * pushes first-response and resolution back.
 */
export function computeDeadlines(s: SlaClockState, p: SlaPolicy, cal: Calendar): Deadline[] {
  if (s.pausedAt || s.resolvedAt) return [];
  const out: Deadline[] = [];
  if (!s.firstRespondedAt) out.push(deadline('first_response', s.createdAt, p.firstResponseMins, p, cal, s));
  if (p.nextUpdateMins) out.push(nextUpdateDeadline(s, p, cal, p.nextUpdateMins));
  out.push(deadline('resolution', s.createdAt, p.resolutionMins, p, cal, s));
  return out;
}

export type SlaEventDue = { timer: TimerKind; type: 'warning' | 'breach'; dueAt: Date };

/** A breach once `now` reaches the deadline. */
function checkBreach(d: Deadline | undefined, now: Date): SlaEventDue | undefined {
  if (!d) return undefined;
  if (now < d.dueAt) return undefined;
  return { timer: d.timer, type: 'breach', dueAt: d.dueAt };
}

/** A warning between `warnAt` and the deadline. */
export function checkWarning(d: Deadline | undefined, now: Date): SlaEventDue | undefined {
  if (!d) return undefined;
  if (now < d.warnAt || now >= d.dueAt) return undefined;
  return { timer: d.timer, type: 'warning', dueAt: d.dueAt };
}

const find = (ds: Deadline[], timer: TimerKind) => ds.find((d) => d.timer === timer);

/** First response: breach or warning while nobody has answered yet. */
export function checkFirstResponse(ds: Deadline[], now: Date): SlaEventDue | undefined {
  const d = find(ds, 'first_response');
  return checkBreach(d, now) ?? checkWarning(d, now);
}

/** Progress update: breach or warning of the current cycle. */
export function checkNextUpdate(ds: Deadline[], now: Date): SlaEventDue | undefined {
  const d = find(ds, 'next_update');
  return checkBreach(d, now) ?? checkWarning(d, now);
}

/** Resolution: breach or warning until resolved. */
export function checkResolution(ds: Deadline[], now: Date): SlaEventDue | undefined {
  const d = find(ds, 'resolution');
  return checkBreach(d, now) ?? checkWarning(d, now);
}

/**
 * Warnings and breaches due at `now`, in timer order. Nothing while paused or resolved. The caller
 * records each once under a unique (ticket, timer, type, dueAt) key, so evaluating twice is harmless.
 */
export function evaluateSla(s: SlaClockState, p: SlaPolicy, cal: Calendar, now: Date): SlaEventDue[] {
  const ds = computeDeadlines(s, p, cal);
  return [checkFirstResponse(ds, now), checkNextUpdate(ds, now), checkResolution(ds, now)].filter(
    (e): e is SlaEventDue => e !== undefined,
  );
}
