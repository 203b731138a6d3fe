import { describe, expect, it } from 'vitest';
import {
  computeDeadlines,
  evaluateSla,
  type SlaClockState,
  SlaPoliciesFile,
  type SlaPolicy,
} from '../../../src/domain/tickets/sla.ts';
import { cnCal, fmt, seed, sh } from './support.ts';

const policies = SlaPoliciesFile.parse(seed('sla-policies.json')).policies;
const policy = (p: string): SlaPolicy => {
  const found = policies.find((x) => x.priority === p);
  if (!found) throw new Error(`no policy ${p}`);
  return found;
};
const p1 = policy('P1');
const created = sh('2026-11-23T10:00');
const events = (s: SlaClockState, p: SlaPolicy, at: string) =>
  evaluateSla(s, p, cnCal, sh(at)).map((e) => `${e.timer}:${e.type}@${fmt(e.dueAt).slice(11)}`);
const due = (s: SlaClockState, p: SlaPolicy) =>
  Object.fromEntries(computeDeadlines(s, p, cnCal).map((d) => [d.timer, fmt(d.dueAt)]));

describe('seeded SLA policies (from the articles)', () => {
  it.each([
    ['P1', 30, 15, 1440, false],
    ['P2', 120, 240, 2880, false],
    ['P3', 1440, undefined, 4320, false],
    ['P4', 480, undefined, 2880, true],
  ] as const)(
    '%s: first response %s min, update every %s min, resolution %s min, business hours %s',
    (p, fr, nu, res, bh) => {
      const x = policy(p);
      expect([x.firstResponseMins, x.nextUpdateMins, x.resolutionMins, x.businessHours, x.warnFraction]).toEqual([
        fr,
        nu,
        res,
        bh,
        0.8,
      ]);
      expect(x.source).toBeTruthy();
    },
  );

  it('rejects two policies for one priority', () => {
    const twice = { version: 1, policies: [p1, { ...p1, id: 'other' }] };
    expect(SlaPoliciesFile.safeParse(twice).error?.issues[0]?.message).toBe('每个优先级只能有一条 SLA 策略');
  });
});

describe('evaluateSla — P1 critical lane, created 周一 10:00', () => {
  const fresh: SlaClockState = { createdAt: created, pausedMinutes: 0 };
  it.each([
    ['10:10 nothing yet', fresh, '2026-11-23T10:10', []],
    ['10:13 progress update warning (80 % of 15 min)', fresh, '2026-11-23T10:13', ['next_update:warning@10:15']],
    [
      '10:25 first response warning, progress update breached',
      fresh,
      '2026-11-23T10:25',
      ['first_response:warning@10:30', 'next_update:breach@10:15'],
    ],
    [
      '10:31 first response breached',
      fresh,
      '2026-11-23T10:31',
      ['first_response:breach@10:30', 'next_update:breach@10:15'],
    ],
    [
      'answered 10:05, updated 10:20: next update due 10:35, quiet at 10:31',
      { ...fresh, firstRespondedAt: sh('2026-11-23T10:05'), lastUpdateAt: sh('2026-11-23T10:20') },
      '2026-11-23T10:31',
      [],
    ],
    [
      'answered 10:05, updated 10:20: warning at 10:33',
      { ...fresh, firstRespondedAt: sh('2026-11-23T10:05'), lastUpdateAt: sh('2026-11-23T10:20') },
      '2026-11-23T10:33',
      ['next_update:warning@10:35'],
    ],
    [
      'resolution breaches after 24 h',
      { ...fresh, firstRespondedAt: sh('2026-11-23T10:05'), lastUpdateAt: sh('2026-11-24T10:00') },
      '2026-11-24T10:01',
      ['resolution:breach@10:00'],
    ],
    ['a paused ticket never breaches', { ...fresh, pausedAt: sh('2026-11-23T10:05') }, '2026-12-31T10:00', []],
    ['a resolved ticket never breaches', { ...fresh, resolvedAt: sh('2026-11-23T10:20') }, '2026-12-31T10:00', []],
  ])('%s', (_name, state, at, expected) => {
    expect(events(state, p1, at)).toEqual(expected);
  });
});

describe('computeDeadlines', () => {
  it('the progress update repeats from each update', () => {
    const answered = { createdAt: created, firstRespondedAt: sh('2026-11-23T10:05'), pausedMinutes: 0 };
    expect(due(answered, p1).next_update).toBe('2026-11-23 10:20');
    expect(due({ ...answered, lastUpdateAt: sh('2026-11-23T10:20') }, p1).next_update).toBe('2026-11-23 10:35');
    expect(due({ ...answered, lastUpdateAt: sh('2026-11-23T10:35') }, p1).next_update).toBe('2026-11-23 10:50');
  });

  it('first response stops once answered; nothing runs while paused', () => {
    expect(Object.keys(due({ createdAt: created, pausedMinutes: 0 }, p1))).toEqual([
      'first_response',
      'next_update',
      'resolution',
    ]);
    expect(Object.keys(due({ createdAt: created, firstRespondedAt: created, pausedMinutes: 0 }, p1))).toEqual([
      'next_update',
      'resolution',
    ]);
    expect(
      computeDeadlines({ createdAt: created, pausedAt: sh('2026-11-23T10:05'), pausedMinutes: 0 }, p1, cnCal),
    ).toEqual([]);
  });

  it('resuming after 60 min waiting on the customer moves the deadlines back by 60 min', () => {
    const resumed = { createdAt: created, firstRespondedAt: sh('2026-11-23T10:05'), pausedMinutes: 60 };
    expect(due(resumed, p1)).toEqual({ next_update: '2026-11-23 11:20', resolution: '2026-11-24 11:00' });
    const afterUpdate = { ...resumed, lastUpdateAt: sh('2026-11-23T10:04'), resumedAt: sh('2026-11-23T11:10') };
    expect(due(afterUpdate, p1).next_update).toBe('2026-11-23 11:25');
  });

  it('a business-hours policy counts working time only (P4 8 h, created 周五 16:30)', () => {
    const p4 = policy('P4');
    const [first] = computeDeadlines({ createdAt: sh('2026-11-27T16:30'), pausedMinutes: 0 }, p4, cnCal);
    expect(first && [first.timer, fmt(first.warnAt), fmt(first.dueAt)]).toEqual([
      'first_response',
      '2026-11-30 15:24',
      '2026-11-30 17:00',
    ]);
  });

  it('pauses over a weekend are exact when given in working minutes', () => {
    // 周五 16:00 created; waiting on the customer 周五 17:00 → 周一 09:30; 60 working min were used before.
    const p4 = policy('P4');
    const base = { createdAt: sh('2026-11-27T16:00'), pausedMinutes: 3870 };
    expect(due({ ...base, pausedBusinessMinutes: 90 }, p4).first_response).toBe('2026-11-30 18:00');
    // Without it the wall-clock pause overshoots by the non-working time inside the pause.
    expect(due(base, p4).first_response).toBe('2026-12-01 09:30');
  });
});
