import { describe, expect, it } from 'vitest';
import { decidePriority, type Priority, type PriorityInput, raise } from '../../../src/domain/tickets/priority.ts';

const input = (i: Partial<PriorityInput> & { primary: string }): PriorityInput => ({
  urgency: 'normal',
  cues: [],
  reminderCount: 0,
  ...i,
});

describe('decidePriority — worked examples with their reasons', () => {
  it.each<[string, PriorityInput, Priority, string[]]>([
    [
      'allergy',
      input({ primary: 'safety_issue', urgency: 'critical', cues: ['过敏'] }),
      'P1',
      ['过敏 → safety_issue → P1'],
    ],
    ['complaint', input({ primary: 'complaint', urgency: 'high', cues: ['12315'] }), 'P2', ['12315 → complaint → P2']],
    ['damaged', input({ primary: 'damaged' }), 'P2', ['damaged → P2']],
    ['normal return', input({ primary: 'return_refund' }), 'P3', ['return_refund → P3']],
    ['query', input({ primary: 'order_status' }), 'P4', ['order_status → P4']],
    [
      'critical cue on a return',
      input({ primary: 'return_refund', urgency: 'critical', cues: ['起疹子'] }),
      'P1',
      ['起疹子 → return_refund → P3', '紧急程度危急（起疹子） → P1'],
    ],
    [
      'high urgency lifts a request to P2',
      input({ primary: 'exchange', urgency: 'high', cues: ['投诉'] }),
      'P2',
      ['投诉 → exchange → P3', '紧急程度高（投诉） → 至少 P2'],
    ],
    [
      'VIP return',
      input({ primary: 'return_refund', tier: 'vip' }),
      'P2',
      ['return_refund → P3', 'VIP 客户 → 提升一级'],
    ],
    [
      'third message about a late parcel',
      input({ primary: 'logistics_delay', reminderCount: 2 }),
      'P2',
      ['logistics_delay → P3', '第 3 次催促 → 提升一级'],
    ],
    ['second message only', input({ primary: 'logistics_delay', reminderCount: 1 }), 'P3', ['logistics_delay → P3']],
    [
      'order of ¥1000',
      input({ primary: 'refund_only', orderValueCents: 100_000 }),
      'P2',
      ['refund_only → P3', '订单金额 ≥ ¥1000 → 提升一级'],
    ],
    ['order of ¥999.99', input({ primary: 'refund_only', orderValueCents: 99_999 }), 'P3', ['refund_only → P3']],
    [
      'query older than 48 h',
      input({ primary: 'invoice', ageHours: 49 }),
      'P3',
      ['invoice → P4', '工单已超过 48 小时 → 提升一级'],
    ],
    ['query of exactly 48 h', input({ primary: 'invoice', ageHours: 48 }), 'P4', ['invoice → P4']],
    [
      'signed but not received after an electronic sign-off (rule floor)',
      input({ primary: 'not_received', floor: 'P1' }),
      'P1',
      ['not_received → P2', '规则要求至少 P1'],
    ],
    ['a floor below the result changes nothing', input({ primary: 'damaged', floor: 'P3' }), 'P2', ['damaged → P2']],
    [
      'raises stack and stop at P1',
      input({ primary: 'return_refund', tier: 'vip', orderValueCents: 200_000, reminderCount: 3, ageHours: 72 }),
      'P1',
      ['return_refund → P3', 'VIP 客户 → 提升一级', '订单金额 ≥ ¥1000 → 提升一级'],
    ],
    [
      'staff read the intent by its Chinese name when the caller gives it',
      input({ primary: 'safety_issue', primaryZh: '安全问题', urgency: 'critical', cues: ['过敏'] }),
      'P1',
      ['过敏 → 安全问题 → P1'],
    ],
  ])('%s → %s', (_name, i, priority, reasons) => {
    expect(decidePriority(i)).toEqual({ priority, reasons });
  });
});

describe('raise', () => {
  it.each<[Priority, number | undefined, Priority]>([
    ['P4', undefined, 'P3'],
    ['P4', 2, 'P2'],
    ['P2', 5, 'P1'],
    ['P1', undefined, 'P1'],
    ['P3', 0, 'P3'],
  ])('raise(%s, %s) = %s', (p, levels, expected) => {
    expect(raise(p, levels)).toBe(expected);
  });
});
