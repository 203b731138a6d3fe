import { describe, expect, it } from 'vitest';
import {
  type EscalationCause,
  type LadderStep,
  ladderFromFile,
  needsManager,
  nextLevel,
  parseAck,
  pushText,
  startLevel,
} from '../../../src/domain/tickets/escalation.ts';
import { seed, sh } from './support.ts';

const ladder = ladderFromFile(seed('escalation-ladder.json'));

describe('escalation ladder', () => {
  it('ships agent → supervisor → manager with delays', () => {
    expect(ladder.map((s) => [s.level, s.role, s.delayMins, s.zh])).toEqual([
      [1, 'agent', 0, '当班客服'],
      [2, 'supervisor', 15, '主管'],
      [3, 'manager', 30, '经理'],
    ]);
  });

  it('an unacknowledged push climbs one step at a time and stops at the manager', () => {
    const climbed: string[] = [];
    let step: LadderStep | undefined = ladder.find(
      (s) => s.level === startLevel('sla_breach', { escalateToManager: false, currentLevel: 0 }),
    );
    while (step) {
      climbed.push(`${step.level}:${step.zh}`);
      step = nextLevel(ladder, step.level);
    }
    expect(climbed).toEqual(['1:当班客服', '2:主管', '3:经理']);
  });

  it('sorts steps and rejects a duplicate level', () => {
    const steps = [
      { level: 2, role: 'manager', delayMins: 10, zh: '经理' },
      { level: 1, role: 'agent', delayMins: 0, zh: '客服' },
    ];
    expect(ladderFromFile({ version: 1, steps }).map((s) => s.level)).toEqual([1, 2]);
    expect(() => ladderFromFile({ version: 1, steps: [...steps, steps[0]] })).toThrow(/升级层级不能重复/);
  });

  it.each<[EscalationCause, boolean, number, number]>([
    ['sla_breach', false, 0, 1],
    ['critical', false, 0, 1],
    ['manual', false, 2, 1],
    ['complaint', false, 0, 3],
    ['critical', true, 0, 3],
    ['reopen', false, 0, 1],
    ['reopen', false, 1, 2],
    ['reopen', false, 3, 3],
  ])('startLevel(%s, escalateToManager=%s, currentLevel=%s) = %s', (cause, escalateToManager, currentLevel, level) => {
    expect(startLevel(cause, { escalateToManager, currentLevel })).toBe(level);
  });

  it.each([
    [['12315'], '', true],
    [[], '再不处理我就找媒体曝光', true],
    [['投诉'], '', true],
    [['过敏'], '脸上起疹子了', false],
  ])('needsManager(%j, %s) = %s', (cues, text, expected) => {
    expect(needsManager(cues, text)).toBe(expected);
  });
});

describe('parseAck', () => {
  it.each([
    ['收到 #123', 123],
    ['收到#123', 123],
    ['收到 123', 123],
    ['ack 123', 123],
    ['ACK #9', 9],
    ['确认 #12', 12],
    ['收到＃7', 7],
    ['  收到 #45。 ', 45],
    ['@售后助手 收到 #45', 45],
    ['收到 #123，马上处理', 123],
    ['收到货了', undefined],
    ['收到3件，少了一件', undefined],
    ['确认一下 12 号订单', undefined],
    ['我已经收到 #12 了', undefined],
    ['', undefined],
  ])('%j → %s', (text, id) => {
    expect(parseAck(text)).toBe(id);
  });
});

describe('pushText', () => {
  it('tells the recipient what, who, until when, and how to acknowledge', () => {
    const push = pushText({
      ticketId: 123,
      priority: 'P1',
      level: 3,
      cause: 'complaint',
      summary: '面霜过敏，要求 12315 投诉',
      customer: '张**（VIP）',
      dueAt: sh('2026-11-23T10:30'),
      statusZh: '待处理',
    });
    expect(push.title).toBe('【P1·第3级升级】工单 #123：顾客投诉');
    expect(push.text.split('\n')).toEqual([
      '【P1·第3级升级】工单 #123：顾客投诉',
      '顾客：张**（VIP）',
      '问题：面霜过敏，要求 12315 投诉',
      '状态：待处理，首响截止 11月23日 10:30',
      '回复「收到 #123」确认，未确认将继续升级。',
    ]);
    expect(push.buttonLabel).toBe('收到');
    expect(parseAck(`收到 #123`)).toBe(123);
  });

  it('names another deadline when told to', () => {
    const push = pushText({
      ticketId: 8,
      priority: 'P2',
      level: 1,
      cause: 'sla_breach',
      summary: '物流三天没动',
      customer: '李**',
      dueAt: sh('2026-11-25T09:05'),
      dueLabel: '解决截止',
      statusZh: '处理中',
    });
    expect(push.text).toContain('状态：处理中，解决截止 11月25日 09:05');
    expect(push.title).toBe('【P2·第1级升级】工单 #8：SLA 超时');
  });
});
