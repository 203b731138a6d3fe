import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  calendarFromFile,
  explainDeadline,
  isWorkingTime,
} from '../../../src/domain/tickets/business-clock.ts';
import { parseAck, startLevel } from '../../../src/domain/tickets/escalation.ts';
import { nextAssignee, problemKey, transition } from '../../../src/domain/tickets/lifecycle.ts';
import { decidePriority } from '../../../src/domain/tickets/priority.ts';
import { evaluateRules, type RuleFacts, rulesFromFile } from '../../../src/domain/tickets/rules.ts';
import { computeDeadlines, evaluateSla, type SlaPolicy } from '../../../src/domain/tickets/sla.ts';

const cal = calendarFromFile(JSON.parse(readFileSync('prisma/seed/tickets/calendar-cn-mainland.json', 'utf8')));
const nineToFive = { ...cal, hours: [{ start: '09:00', end: '17:00' }] };
/** Shanghai wall-clock time → Date (the tests read like the worked examples, whatever the machine TZ). */
const sh = (s: string) => new Date(`${s}:00+08:00`);
const fmt = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('business clock: worked examples (工作时间 09:00–12:00 / 13:30–18:00, Asia/Shanghai)', () => {
  it.each([
    ['周一 10:00 + 1h', '2026-11-23T10:00', 60, '2026-11-23 11:00'],
    ['crosses lunch: 周一 11:30 + 1h', '2026-11-23T11:30', 60, '2026-11-23 14:00'],
    ['created in lunch: 周一 12:30 + 30min', '2026-11-23T12:30', 30, '2026-11-23 14:00'],
    ['周五 16:30 + 1h stays Friday', '2026-11-27T16:30', 60, '2026-11-27 17:30'],
    ['周五 16:30 + 2h → 周一 09:30', '2026-11-27T16:30', 120, '2026-11-30 09:30'],
    ['created on Saturday → Monday', '2026-11-28T10:00', 60, '2026-11-30 10:00'],
    ['国庆 2025: 09-30 17:00 + 2h skips 10-01..08', '2025-09-30T17:00', 120, '2025-10-09 10:00'],
    ['调休 Sunday 2025-09-28 is a working day', '2025-09-27T17:00', 60, '2025-09-28 10:00'],
    ['调休 Saturday 2025-10-11 is a working day', '2025-10-10T17:30', 60, '2025-10-11 09:30'],
    ['春节 2026: 02-13 17:00 + 2h → 02-14 (调休 Saturday)', '2026-02-13T17:00', 120, '2026-02-14 10:00'],
    ['春节 2026: 02-14 17:00 + 2h skips 02-15..23', '2026-02-14T17:00', 120, '2026-02-24 10:00'],
  ])('%s', (_name, start, minutes, expected) => {
    expect(fmt(addBusinessMinutes(sh(start), minutes, cal))).toBe(expected);
  });

  it('chatwoot PR #13392 example on a 9–17 calendar: Friday 16:30 + 1h → Monday 09:30', () => {
    expect(fmt(addBusinessMinutes(sh('2026-11-27T16:30'), 60, nineToFive))).toBe('2026-11-30 09:30');
  });

  it('explains a deadline in words', () => {
    expect(explainDeadline(sh('2026-11-27T16:30'), 120, cal, '首响')).toBe(
      '周五 16:30 创建，工作时间 09:00–12:00/13:30–18:00，首响 2 小时 → 下周一 09:30',
    );
    expect(explainDeadline(sh('2026-11-23T10:00'), 60, cal, '首响')).toBe(
      '周一 10:00 创建，工作时间 09:00–12:00/13:30–18:00，首响 1 小时 → 当天 11:00',
    );
  });

  it('counts business minutes between two times and knows working time', () => {
    expect(businessMinutesBetween(sh('2026-11-27T16:30'), sh('2026-11-30T09:30'), cal)).toBe(120);
    expect(isWorkingTime(sh('2026-11-23T12:45'), cal)).toBe(false);
    expect(isWorkingTime(sh('2025-10-03T10:00'), cal)).toBe(false);
    expect(isWorkingTime(sh('2025-09-28T10:00'), cal)).toBe(true);
  });
});

const p1: SlaPolicy = {
  id: 'p1',
  name: 'P1',
  priority: 'P1',
  firstResponseMins: 30,
  nextUpdateMins: 15,
  resolutionMins: 1440,
  warnFraction: 0.8,
  businessHours: false,
  calendarId: 'cn',
  revision: 1,
};

describe('SLA evaluation', () => {
  const created = sh('2026-11-23T10:00');
  it('warns at 80 % and breaches at the deadline', () => {
    const s = { createdAt: created, pausedMinutes: 0 };
    expect(evaluateSla(s, p1, cal, sh('2026-11-23T10:10'))).toEqual([]);
    expect(evaluateSla(s, p1, cal, sh('2026-11-23T10:25')).map((e) => `${e.timer}:${e.type}`)).toEqual([
      'first_response:warning',
      'next_update:breach',
    ]);
    expect(evaluateSla(s, p1, cal, sh('2026-11-23T10:31')).map((e) => `${e.timer}:${e.type}`)).toContain(
      'first_response:breach',
    );
  });
  it('a paused ticket has no running deadline; paused time moves the deadlines back', () => {
    expect(
      computeDeadlines({ createdAt: created, pausedAt: sh('2026-11-23T10:05'), pausedMinutes: 0 }, p1, cal),
    ).toEqual([]);
    const resumed = computeDeadlines(
      { createdAt: created, firstRespondedAt: sh('2026-11-23T10:05'), pausedMinutes: 60 },
      p1,
      cal,
    );
    expect(fmt(resumed.find((d) => d.timer === 'resolution')?.dueAt ?? created)).toBe('2026-11-24 11:00');
  });
});

describe('lifecycle, priority, escalation, rules', () => {
  it('allows and refuses transitions', () => {
    expect(transition('open', 'acknowledge')).toBe('acknowledged');
    expect(transition('closed', 'reopen')).toBe('open');
    expect(() => transition('open', 'close')).toThrow('「待处理」的工单不能关闭');
  });
  it('groups intents into problems', () => {
    expect(problemKey('not_received')).toBe(problemKey('logistics_delay'));
    expect(problemKey('damaged')).not.toBe(problemKey('not_received'));
    expect(problemKey('order_status')).toBeUndefined();
  });
  it('assigns round-robin, skipping agents off duty', () => {
    const agents = [
      { id: 'a', onDuty: true },
      { id: 'b', onDuty: false },
      { id: 'c', onDuty: true },
    ];
    expect(nextAssignee(agents, 'a')).toBe('c');
    expect(nextAssignee(agents, 'c')).toBe('a');
  });
  it.each([
    [
      { primary: 'safety_issue', urgency: 'critical', cues: ['过敏'], reminderCount: 0 },
      'P1',
      '过敏 → safety_issue → P1',
    ],
    [
      { primary: 'return_refund', urgency: 'normal', cues: [], reminderCount: 0, tier: 'vip' },
      'P2',
      'VIP 客户 → 提升一级',
    ],
    [{ primary: 'logistics_delay', urgency: 'normal', cues: [], reminderCount: 2 }, 'P2', '第 3 次催促 → 提升一级'],
    [{ primary: 'order_status', urgency: 'normal', cues: [], reminderCount: 0 }, 'P4', 'order_status → P4'],
  ] as const)('priority %#', (input, priority, reason) => {
    const r = decidePriority({ ...input, cues: [...input.cues] });
    expect(r.priority).toBe(priority);
    expect(r.reasons).toContain(reason);
  });
  it('parses acks and starts complaints at the manager', () => {
    expect(['收到 #123', '收到#123', '收到 123', 'ack 123', '确认 #12'].map(parseAck)).toEqual([
      123, 123, 123, 123, 12,
    ]);
    expect(parseAck('收到货了')).toBeUndefined();
    expect(startLevel('complaint', { escalateToManager: false, currentLevel: 0 })).toBe(3);
    expect(startLevel('reopen', { escalateToManager: false, currentLevel: 1 })).toBe(2);
  });

  const rules = rulesFromFile(JSON.parse(readFileSync('prisma/seed/tickets/rules.json', 'utf8')));
  const facts = (f: Partial<RuleFacts>): RuleFacts => ({
    event: 'ticket_opened',
    primary: 'other',
    intents: [],
    cues: [],
    urgency: 'normal',
    ...f,
  });
  it.each([
    [
      'wrong item 30 h after shipping → reship + warehouse',
      facts({ primary: 'wrong_item', hoursSinceShipped: 30 }),
      ['mark_reship', 'notify_group'],
    ],
    ['wrong item 100 h after shipping → nothing', facts({ primary: 'wrong_item', hoursSinceShipped: 100 }), []],
    [
      'not received 5 h after an electronic-only sign-off → P1',
      facts({ primary: 'not_received', hoursSinceElectronicSignoff: 5 }),
      ['set_priority'],
    ],
    ['破损 cue → critical lane', facts({ primary: 'damaged', cues: ['碎了'] }), ['critical_lane']],
  ])('rule: %s', (_n, f, expected) => {
    expect(evaluateRules(rules, f).flatMap((m) => m.actions.map((a) => a.type))).toEqual(expected);
  });
  it('rejects a rule with a condition outside the allow-list', () => {
    expect(() =>
      rulesFromFile({
        version: 1,
        rules: [{ id: 'x', name: 'x', when: { sql: 'drop table' }, actions: [{ type: 'mark_reship' }], explain: 'x' }],
      }),
    ).toThrow(/规则文件无效.*sql/);
  });
});

describe('rule dry-run', () => {
  it('replays one rule over past tickets and says what it would have done', async () => {
    const { dryRun, rulesFromFile: load } = await import('../../../src/domain/tickets/rules.ts');
    const rule = load(JSON.parse(readFileSync('prisma/seed/tickets/rules.json', 'utf8'))).find(
      (r) => r.id === 'wrong-item-reship',
    );
    if (!rule) throw new Error('seed rule missing');
    const base = { event: 'ticket_opened' as const, intents: [], cues: [], urgency: 'normal' };
    const r = dryRun(rule, [
      { ...base, primary: 'wrong_item', hoursSinceShipped: 10 },
      { ...base, primary: 'wrong_item', hoursSinceShipped: 200 },
      { ...base, primary: 'damaged', hoursSinceShipped: 10 },
    ]);
    expect(r).toEqual({ matched: 1, total: 3, examples: ['wrong_item → mark_reship, notify_group'] });
  });
});
