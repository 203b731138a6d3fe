import { z } from 'zod';
import { addBusinessMinutes, type Calendar } from './business-clock.ts';
import type { Priority } from './priority.ts';

export const SlaPolicySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  priority: z.enum(['P1', 'P2', 'P3', 'P4']),
  firstResponseMins: z.number().int().positive(),
  nextUpdateMins: z.number().int().positive().optional(),
  resolutionMins: z.number().int().positive(),
  warnFraction: z.number().gt(0).lt(1),
  businessHours: z.boolean(),
  calendarId: z.string(),
  revision: z.number().int().positive(),
  source: z.string().optional(),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema> & { priority: Priority };

export const SlaPoliciesFile = z
  .object({ version: z.literal(1), policies: z.array(SlaPolicySchema).min(1) })
  .refine((f) => new Set(f.policies.map((p) => p.priority)).size === f.policies.length, {
    message: '每个优先级只能有一条 SLA 策略',
  });

export type TimerKind = 'first_response' | 'next_update' | 'resolution';
export const TIMER_ZH: Record<TimerKind, string> = {
  first_response: '首次响应',
  next_update: '进度更新',
  resolution: '解决',
};

/** What the clock needs from a ticket. */
export interface SlaClockState {
  createdAt: Date;
  firstRespondedAt?: Date;
  lastUpdateAt?: Date;
  resolvedAt?: Date;
  /** Set while waiting on the customer: no timer runs. */
  pausedAt?: Date;
  /** Total minutes spent waiting on the customer so far; deadlines move by this much. */
  pausedMinutes: number;
}

export interface Deadline {
  timer: TimerKind;
  dueAt: Date;
  warnAt: Date;
}

function add(from: Date, minutes: number, p: SlaPolicy, cal: Calendar): Date {
  return p.businessHours ? addBusinessMinutes(from, minutes, cal) : new Date(from.getTime() + minutes * 60_000);
}

function deadline(
  timer: TimerKind,
  from: Date,
  minutes: number,
  p: SlaPolicy,
  cal: Calendar,
  pausedMs: number,
): Deadline {
  const shifted = new Date(from.getTime() + pausedMs);
  return {
    timer,
    dueAt: add(shifted, minutes, p, cal),
    warnAt: add(shifted, Math.floor(minutes * p.warnFraction), p, cal),
  };
}

/** The running deadlines: none while paused, none once resolved; paused time pushes them back. */
export function computeDeadlines(s: SlaClockState, p: SlaPolicy, cal: Calendar): Deadline[] {
  if (s.pausedAt || s.resolvedAt) return [];
  const pausedMs = s.pausedMinutes * 60_000;
  const out: Deadline[] = [];
  if (!s.firstRespondedAt) out.push(deadline('first_response', s.createdAt, p.firstResponseMins, p, cal, pausedMs));
  if (p.nextUpdateMins) {
    const from = s.lastUpdateAt ?? s.firstRespondedAt ?? s.createdAt;
    out.push(deadline('next_update', from, p.nextUpdateMins, p, cal, s.lastUpdateAt ? 0 : pausedMs));
  }
  out.push(deadline('resolution', s.createdAt, p.resolutionMins, p, cal, pausedMs));
  return out;
}

type Due = { timer: TimerKind; type: 'warning' | 'breach'; dueAt: Date };

function checkWarning(d: Deadline, now: Date): Due | undefined {
  if (now < d.warnAt || now >= d.dueAt) return undefined;
  return { timer: d.timer, type: 'warning', dueAt: d.dueAt };
}

function checkBreach(d: Deadline, now: Date): Due | undefined {
  if (now < d.dueAt) return undefined;
  return { timer: d.timer, type: 'breach', dueAt: d.dueAt };
}

/** Warnings and breaches due at `now` (the caller records each once under a unique key). */
export function evaluateSla(s: SlaClockState, p: SlaPolicy, cal: Calendar, now: Date): Due[] {
  const out: Due[] = [];
  for (const d of computeDeadlines(s, p, cal)) {
    const e = checkBreach(d, now) ?? checkWarning(d, now);
    if (e) out.push(e);
  }
  return out;
}
