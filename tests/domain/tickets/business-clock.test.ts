import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  CalendarFile,
  calendarFromFile,
  describeServiceHours,
  explainDeadline,
  isWorkingTime,
} from '../../../src/domain/tickets/business-clock.ts';
import { cnCal, fmt, nineToFive, seed, sh } from './support.ts';

describe('addBusinessMinutes — worked examples (09:00–12:00 / 13:30–18:00, Asia/Shanghai)', () => {
  it.each([
    ['周一 10:00 + 1h', '2026-11-23T10:00', 60, '2026-11-23 11:00'],
    ['crosses lunch: 周一 11:30 + 1h', '2026-11-23T11:30', 60, '2026-11-23 14:00'],
    ['created during lunch: 周一 12:30 + 30min', '2026-11-23T12:30', 30, '2026-11-23 14:00'],
    ['lands on closing time and stays there', '2026-11-23T17:00', 60, '2026-11-23 18:00'],
    ['one full working day', '2026-11-23T09:00', 450, '2026-11-23 18:00'],
    ['one minute past a full day', '2026-11-23T09:00', 451, '2026-11-24 09:01'],
    ['created after hours → next morning', '2026-11-23T18:30', 30, '2026-11-24 09:30'],
    ['created before opening', '2026-11-23T07:00', 15, '2026-11-23 09:15'],
    ['周五 16:30 + 1h stays Friday', '2026-11-27T16:30', 60, '2026-11-27 17:30'],
    ['周五 16:30 + 2h → 下周一 09:30', '2026-11-27T16:30', 120, '2026-11-30 09:30'],
    ['created on Saturday → Monday', '2026-11-28T10:00', 60, '2026-11-30 10:00'],
    ['国庆 2025: 09-30 17:00 + 2h skips 10-01..08', '2025-09-30T17:00', 120, '2025-10-09 10:00'],
    ['调休 Sunday 2025-09-28 is a working day', '2025-09-27T17:00', 60, '2025-09-28 10:00'],
    ['调休 Saturday 2025-10-11 is a working day', '2025-10-10T17:30', 60, '2025-10-11 09:30'],
    ['国庆 2025 all the way: 09-30 17:00 + 1 day', '2025-09-30T17:00', 450, '2025-10-09 17:00'],
    ['春节 2026: 02-13 17:00 + 2h → 02-14 (调休 Saturday)', '2026-02-13T17:00', 120, '2026-02-14 10:00'],
    ['春节 2026: 02-14 17:00 + 2h skips 02-15..23', '2026-02-14T17:00', 120, '2026-02-24 10:00'],
    ['元旦 2026: 12-31 17:00 + 2h → 01-04 (调休 Sunday)', '2025-12-31T17:00', 120, '2026-01-04 10:00'],
    ['2027 provisional 国庆: 09-30 17:00 + 2h → 10-08', '2027-09-30T17:00', 120, '2027-10-08 10:00'],
    ['zero minutes inside working time is now', '2026-11-23T10:00', 0, '2026-11-23 10:00'],
  ])('%s', (_name, start, minutes, expected) => {
    expect(fmt(addBusinessMinutes(sh(start), minutes, cnCal))).toBe(expected);
  });

  it.each([
    ['Friday 16:30 + 1h → Monday 09:30 (chatwoot PR #13392 example)', '2026-11-27T16:30', 60, '2026-11-30 09:30'],
    ['no lunch break on this calendar', '2026-11-23T11:30', 60, '2026-11-23 12:30'],
  ])('9–17 calendar: %s', (_name, start, minutes, expected) => {
    expect(fmt(addBusinessMinutes(sh(start), minutes, nineToFive))).toBe(expected);
  });

  it('fails loudly on a calendar without working days', () => {
    const never = { ...cnCal, workingWeekdays: [], workdays: new Set<string>() };
    expect(() => addBusinessMinutes(sh('2026-11-23T10:00'), 60, never)).toThrow(/找不到足够的工作时间/);
  });
});

describe('businessMinutesBetween and isWorkingTime', () => {
  it.each([
    ['Friday afternoon to Monday morning', '2026-11-27T16:30', '2026-11-30T09:30', 120],
    ['across lunch', '2026-11-23T11:00', '2026-11-23T14:00', 90],
    ['across 国庆 2025', '2025-09-30T17:00', '2025-10-09T10:00', 120],
    ['reversed interval is zero', '2026-11-30T09:30', '2026-11-27T16:30', 0],
    ['a weekend alone is zero', '2026-11-28T00:00', '2026-11-30T00:00', 0],
  ])('%s', (_name, a, b, minutes) => {
    expect(businessMinutesBetween(sh(a), sh(b), cnCal)).toBe(minutes);
  });

  it.each(['2026-11-27T16:30', '2025-09-30T11:45', '2026-02-13T17:59', '2026-11-28T03:00'])(
    'is the inverse of addBusinessMinutes from %s',
    (start) => {
      for (const m of [1, 29, 60, 200, 451, 2000]) {
        expect(businessMinutesBetween(sh(start), addBusinessMinutes(sh(start), m, cnCal), cnCal)).toBe(m);
      }
    },
  );

  it.each([
    ['2026-11-23T11:59', true],
    ['2026-11-23T12:00', false],
    ['2026-11-23T12:45', false],
    ['2026-11-23T13:30', true],
    ['2026-11-23T18:00', false],
    ['2026-11-28T10:00', false],
    ['2025-10-03T10:00', false],
    ['2025-09-28T10:00', true],
    ['2026-02-14T10:00', true],
    ['2026-02-17T10:00', false],
  ])('isWorkingTime(%s) = %s', (at, expected) => {
    expect(isWorkingTime(sh(at), cnCal)).toBe(expected);
  });
});

describe('explainDeadline', () => {
  it.each([
    ['cn', '2026-11-27T16:30', 120, '周五 16:30 创建，工作时间 09:00–12:00/13:30–18:00，首响 2 小时 → 下周一 09:30'],
    ['cn', '2026-11-27T16:30', 60, '周五 16:30 创建，工作时间 09:00–12:00/13:30–18:00，首响 1 小时 → 当天 17:30'],
    ['cn', '2026-11-23T17:30', 90, '周一 17:30 创建，工作时间 09:00–12:00/13:30–18:00，首响 90 分钟 → 周二 10:00'],
    ['cn', '2025-09-30T17:00', 120, '周二 17:00 创建，工作时间 09:00–12:00/13:30–18:00，首响 2 小时 → 下周四 10:00'],
    [
      'cn',
      '2026-02-14T17:00',
      120,
      '周六 17:00 创建，工作时间 09:00–12:00/13:30–18:00，首响 2 小时 → 2月24日 周二 10:00',
    ],
    ['9-17', '2026-11-27T16:30', 60, '周五 16:30 创建，工作时间 09:00–17:00，首响 1 小时 → 下周一 09:30'],
  ])('%s calendar: %s + %s min', (cal, start, minutes, text) => {
    expect(explainDeadline(sh(start), minutes, cal === 'cn' ? cnCal : nineToFive, '首响')).toBe(text);
  });
});

describe('calendar file', () => {
  it('ships 2025–2026 from the State Council notices and 2027 as provisional', () => {
    const file = CalendarFile.parse(seed('calendar-cn-mainland.json'));
    expect(file.holidays).toContain('2025-10-08');
    expect(file.workdays).toEqual(expect.arrayContaining(['2025-09-28', '2025-10-11', '2026-02-14', '2026-02-28']));
    expect(file.provisional?.['2027']?.note).toMatch(/暂定/);
    expect(cnCal.holidays.has('2027-02-08')).toBe(true);
  });

  it('rejects overlapping working hours with a Chinese message', () => {
    const bad = {
      ...(seed('calendar-cn-mainland.json') as object),
      hours: [
        { start: '09:00', end: '13:00' },
        { start: '12:00', end: '18:00' },
      ],
    };
    expect(() => calendarFromFile(bad)).toThrow(/互不重叠/);
  });
});

describe('describeServiceHours — "你们几点下班"', () => {
  const head = '人工客服工作时间：周一至周五 09:00–12:00、13:30–18:00，法定节假日休息（调休上班日照常）。';
  it.each([
    ['a Tuesday morning', '2026-11-24T10:00', '现在是工作时间。'],
    ['lunch', '2026-11-24T12:30', '现在不在工作时间，下次上班是 今天 13:30。'],
    ['Tuesday evening', '2026-11-24T19:00', '现在不在工作时间，下次上班是 明天 09:00。'],
    ['Friday evening', '2026-11-27T19:00', '现在不在工作时间，下次上班是 下周一 09:00（11 月 30 日）。'],
    ['国庆 2025, the first day', '2025-10-01T10:00', '现在不在工作时间，下次上班是 下周四 09:00（10 月 9 日）。'],
    ['the 调休 Saturday works', '2025-10-11T10:00', '现在是工作时间。'],
  ])('%s', (_label, at, tail) => {
    expect(describeServiceHours(cnCal, sh(at))).toBe(`${head}${tail}`);
  });
});
