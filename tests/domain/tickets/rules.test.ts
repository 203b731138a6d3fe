import { describe, expect, it } from 'vitest';
import { type CodedError, ErrorCode } from '../../../src/domain/errors.ts';
import {
  dryRun,
  evaluateRules,
  type Rule,
  type RuleFacts,
  RuleSchema,
  rulesFromFile,
} from '../../../src/domain/tickets/rules.ts';
import { seed } from './support.ts';

const rules = rulesFromFile(seed('rules.json'));
const facts = (f: Partial<RuleFacts>): RuleFacts => ({
  event: 'ticket_opened',
  primary: 'other',
  intents: [],
  cues: [],
  urgency: 'normal',
  ...f,
});
const fired = (f: RuleFacts, list: readonly Rule[] = rules) =>
  evaluateRules(list, f).flatMap((m) =>
    m.actions.map((a) => (a.type === 'set_priority' ? `set_priority:${a.priority}` : a.type)),
  );

describe("the articles' rules", () => {
  it.each([
    [
      'wrong item 30 h after shipping → reship + warehouse',
      facts({ primary: 'wrong_item', hoursSinceShipped: 30 }),
      ['mark_reship', 'notify_group'],
    ],
    [
      'wrong item exactly 72 h after shipping',
      facts({ primary: 'wrong_item', hoursSinceShipped: 72 }),
      ['mark_reship', 'notify_group'],
    ],
    ['wrong item 72.5 h after shipping → nothing', facts({ primary: 'wrong_item', hoursSinceShipped: 72.5 }), []],
    ['wrong item, shipping time unknown → nothing', facts({ primary: 'wrong_item' }), []],
    [
      'wrong item on a later message, not a new ticket → nothing',
      facts({ event: 'message', primary: 'wrong_item', hoursSinceShipped: 5 }),
      [],
    ],
    [
      'not received 5 h after an electronic-only sign-off → P1',
      facts({ primary: 'not_received', hoursSinceElectronicSignoff: 5 }),
      ['set_priority:P1'],
    ],
    [
      'not received 30 h after the sign-off → nothing',
      facts({ primary: 'not_received', hoursSinceElectronicSignoff: 30 }),
      [],
    ],
    ['not received, no electronic sign-off → nothing', facts({ primary: 'not_received' }), []],
    ['过敏 → critical lane', facts({ primary: 'safety_issue', cues: ['过敏'] }), ['critical_lane']],
    ['破损 on damaged goods → critical lane', facts({ primary: 'damaged', cues: ['破损'] }), ['critical_lane']],
    ['safety issue without a cue word → critical lane', facts({ primary: 'safety_issue' }), ['critical_lane']],
    ['damaged without a cue word → nothing', facts({ primary: 'damaged' }), []],
  ])('%s', (_name, f, expected) => {
    expect(fired(f)).toEqual(expected);
  });

  it('explains itself and notifies the warehouse group in Chinese', () => {
    const [m] = evaluateRules(rules, facts({ primary: 'wrong_item', hoursSinceShipped: 10 }));
    expect(m?.explanation).toBe('发货 72 小时内反馈发错货 → 标记补发并通知仓库群');
    expect(m?.actions).toContainEqual({
      type: 'notify_group',
      group: 'warehouse',
      text: expect.stringContaining('补发'),
    });
  });
});

describe('conditions', () => {
  const rule = (when: Record<string, unknown>, enabled = true): Rule =>
    RuleSchema.parse({
      id: 'r',
      name: '测试',
      enabled,
      when,
      actions: [{ type: 'add_flag', flag: 'x' }],
      explain: '测试',
    });
  it.each([
    ['tier_in vip', { tier_in: ['vip'] }, facts({ tier: 'vip' }), true],
    ['tier_in vip, tier unknown', { tier_in: ['vip'] }, facts({}), false],
    ['order_source_in pdd', { order_source_in: ['pdd'] }, facts({ orderSource: 'pdd' }), true],
    [
      'any_intent_in (secondary intent)',
      { any_intent_in: ['compensation'] },
      facts({ intents: ['damaged', 'compensation'] }),
      true,
    ],
    ['urgency_in critical', { urgency_in: ['critical'] }, facts({ urgency: 'high' }), false],
    ['all conditions must hold', { primary_in: ['damaged'], tier_in: ['vip'] }, facts({ primary: 'damaged' }), false],
    ['an empty condition matches everything', {}, facts({}), true],
  ])('%s', (_name, when, f, matched) => {
    expect(fired(f, [rule(when)]).length > 0).toBe(matched);
  });

  it('a disabled rule does nothing', () => {
    expect(fired(facts({}), [rule({}, false)])).toEqual([]);
  });
});

describe('validation (allow-list)', () => {
  const file = (r: Record<string, unknown>) => ({
    version: 1,
    rules: [{ id: 'x', name: 'x', when: {}, actions: [{ type: 'mark_reship' }], explain: 'x', ...r }],
  });
  it.each([
    ['unknown condition', file({ when: { sql: 'drop table' } }), '规则文件无效：rules.0.when：不支持的条件：sql'],
    ['unknown action type', file({ actions: [{ type: 'delete_all' }] }), '不支持的动作类型'],
    ['unknown action field', file({ actions: [{ type: 'mark_reship', url: 'http://x' }] }), '不支持的动作字段：url'],
    ['unknown rule field', file({ otherwise: [] }), '不支持的规则字段：otherwise'],
    ['no action', file({ actions: [] }), '至少需要一个动作'],
  ])('rejects %s with a Chinese message', (_name, json, message) => {
    expect.assertions(2);
    try {
      rulesFromFile(json);
    } catch (err) {
      expect((err as CodedError).code).toBe(ErrorCode.BadRequest);
      expect((err as CodedError).message).toContain(message);
    }
  });
});

describe('dryRun', () => {
  it('replays a rule over past tickets and says what it would have done', () => {
    const wrongItem = rules.find((r) => r.id === 'wrong-item-reship');
    expect(wrongItem).toBeDefined();
    if (!wrongItem) return;
    const past = [
      facts({ primary: 'wrong_item', hoursSinceShipped: 30 }),
      facts({ primary: 'wrong_item', hoursSinceShipped: 100 }),
      facts({ primary: 'damaged', cues: ['破损'] }),
      facts({ primary: 'not_received', hoursSinceElectronicSignoff: 3 }),
    ];
    expect(dryRun(wrongItem, past)).toEqual({
      matched: 1,
      total: 4,
      examples: ['wrong_item（发货后 30 小时） → 标记补发、通知仓库群'],
    });
  });

  it('replays a rule that is not switched on yet', () => {
    const draft = RuleSchema.parse({
      id: 'vip-pdd',
      name: '拼多多 VIP',
      enabled: false,
      when: { tier_in: ['vip'], order_source_in: ['pdd'] },
      actions: [{ type: 'escalate', level: 2 }],
      explain: '拼多多 VIP 顾客 → 主管跟进',
    });
    const r = dryRun(draft, [
      facts({ tier: 'vip', orderSource: 'pdd', primary: 'exchange' }),
      facts({ orderSource: 'pdd' }),
    ]);
    expect(r).toEqual({ matched: 1, total: 2, examples: ['exchange（VIP） → 升级到第 2 级'] });
  });
});
