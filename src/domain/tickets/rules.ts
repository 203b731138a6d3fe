import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.ts';
import type { Priority } from './priority.ts';

/** Facts a rule can test; anything else is not allowed in a condition. */
export interface RuleFacts {
  event: 'ticket_opened' | 'message';
  primary: string;
  intents: string[];
  cues: string[];
  tier?: string;
  orderSource?: string;
  hoursSinceShipped?: number;
  hoursSinceElectronicSignoff?: number;
  urgency: string;
}

/** The allow-list: the only condition keys a rule may use. */
export const CONDITION_KEYS = [
  'event',
  'primary_in',
  'any_intent_in',
  'cue_in',
  'tier_in',
  'order_source_in',
  'urgency_in',
  'hours_since_shipped_lte',
  'hours_since_electronic_signoff_lte',
] as const;
export const ACTION_TYPES = [
  'set_priority',
  'mark_reship',
  'notify_group',
  'critical_lane',
  'escalate',
  'add_flag',
] as const;

/** Chinese message for keys outside an allow-list (zod's own message is English). */
const unknownKeys =
  (what: string, allowed: readonly string[]) =>
  (iss: { code?: string; keys?: string[] }): string | undefined =>
    iss.code === 'unrecognized_keys'
      ? `不支持的${what}：${(iss.keys ?? []).join('、')}（允许：${allowed.join('、')}）`
      : undefined;

const list = z.array(z.string().min(1)).min(1, '列表不能为空');
const hours = z.number().positive('小时数须大于 0');
const Conditions = z.strictObject(
  {
    event: z.enum(['ticket_opened', 'message']).optional(),
    primary_in: list.optional(),
    any_intent_in: list.optional(),
    cue_in: list.optional(),
    tier_in: list.optional(),
    order_source_in: list.optional(),
    urgency_in: list.optional(),
    hours_since_shipped_lte: hours.optional(),
    hours_since_electronic_signoff_lte: hours.optional(),
  },
  { error: unknownKeys('条件', CONDITION_KEYS) },
);

const action = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, { error: unknownKeys('动作字段', Object.keys(shape)) });

export const RuleActionSchema = z.discriminatedUnion(
  'type',
  [
    action({ type: z.literal('set_priority'), priority: z.enum(['P1', 'P2', 'P3', 'P4']) }),
    action({ type: z.literal('mark_reship') }),
    action({ type: z.literal('notify_group'), group: z.enum(['warehouse', 'managers']), text: z.string().min(1) }),
    action({ type: z.literal('critical_lane') }),
    action({ type: z.literal('escalate'), level: z.number().int().min(1).max(3) }),
    action({ type: z.literal('add_flag'), flag: z.string().min(1) }),
  ],
  {
    error: (iss) => (iss.code === 'invalid_union' ? `不支持的动作类型（允许：${ACTION_TYPES.join('、')}）` : undefined),
  },
);
export type RuleAction =
  | { type: 'set_priority'; priority: Priority }
  | { type: 'mark_reship' }
  | { type: 'notify_group'; group: 'warehouse' | 'managers'; text: string }
  | { type: 'critical_lane' }
  | { type: 'escalate'; level: number }
  | { type: 'add_flag'; flag: string };

/**
 * A rule: every condition in `when` must hold, and when `any` is given at least one of its groups
 * too ("过敏 cue OR safety_issue"). Unknown keys anywhere are rejected, so a typo cannot silently
 * turn a condition off.
 */
export const RuleSchema = z.strictObject(
  {
    id: z.string().regex(/^[a-z0-9_-]+$/, '规则 id 只能包含小写字母、数字、- 和 _'),
    name: z.string().min(1),
    enabled: z.boolean().default(true),
    when: Conditions,
    any: z.array(Conditions).min(1).optional(),
    actions: z.array(RuleActionSchema).min(1, '至少需要一个动作'),
    explain: z.string().min(1),
  },
  { error: unknownKeys('规则字段', ['id', 'name', 'enabled', 'when', 'any', 'actions', 'explain']) },
);
export type Rule = z.infer<typeof RuleSchema>;

/** prisma/seed/tickets/rules.json */
export const RulesFile = z.object({ version: z.literal(1), rules: z.array(RuleSchema) });

/** Validated rules, or a `BadRequest` {@link CodedError} whose message names each bad path in Chinese. */
export function rulesFromFile(json: unknown): Rule[] {
  const r = RulesFile.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(根)'}：${i.message}`);
    throw new CodedError(ErrorCode.BadRequest, `规则文件无效：${issues.join('；')}`, { issues });
  }
  return r.data.rules;
}

type Cond = z.infer<typeof Conditions>;
const inList = (xs: readonly string[] | undefined, v: string | undefined) => v !== undefined && !!xs?.includes(v);
const lte = (limit: number | undefined, v: number | undefined) => v !== undefined && limit !== undefined && v <= limit;

/** Every condition present holds (an absent fact never satisfies a condition on it). */
function holds(c: Cond, f: RuleFacts): boolean {
  if (c.event && c.event !== f.event) return false;
  if (c.primary_in && !inList(c.primary_in, f.primary)) return false;
  if (c.any_intent_in && !f.intents.some((i) => inList(c.any_intent_in, i))) return false;
  if (c.cue_in && !f.cues.some((x) => inList(c.cue_in, x))) return false;
  if (c.tier_in && !inList(c.tier_in, f.tier)) return false;
  if (c.order_source_in && !inList(c.order_source_in, f.orderSource)) return false;
  if (c.urgency_in && !inList(c.urgency_in, f.urgency)) return false;
  if (c.hours_since_shipped_lte !== undefined && !lte(c.hours_since_shipped_lte, f.hoursSinceShipped)) return false;
  const signoff = c.hours_since_electronic_signoff_lte;
  return signoff === undefined || lte(signoff, f.hoursSinceElectronicSignoff);
}

/** Whether an enabled rule matches the facts. */
export function matches(rule: Rule, facts: RuleFacts): boolean {
  return rule.enabled && holds(rule.when, facts) && (!rule.any || rule.any.some((c) => holds(c, facts)));
}

/** The enabled rules that match, in file order, each with its actions and its Chinese explanation. */
export function evaluateRules(
  rules: readonly Rule[],
  facts: RuleFacts,
): { ruleId: string; name: string; actions: RuleAction[]; explanation: string }[] {
  return rules
    .filter((r) => matches(r, facts))
    .map((r) => ({ ruleId: r.id, name: r.name, actions: r.actions, explanation: r.explain }));
}

const GROUP_ZH = { warehouse: '仓库群', managers: '经理群' } as const;

/** An action in words: "标记补发", "通知仓库群", "优先级设为 P1" … */
export function actionZh(a: RuleAction): string {
  switch (a.type) {
    case 'set_priority':
      return `优先级设为 ${a.priority}`;
    case 'mark_reship':
      return '标记补发';
    case 'notify_group':
      return `通知${GROUP_ZH[a.group]}`;
    case 'critical_lane':
      return '进入紧急通道';
    case 'escalate':
      return `升级到第 ${a.level} 级`;
    case 'add_flag':
      return `加标记「${a.flag}」`;
  }
}

function factsZh(f: RuleFacts): string {
  const parts = [
    f.cues.length ? `线索 ${f.cues.join('、')}` : '',
    f.hoursSinceShipped !== undefined ? `发货后 ${Math.round(f.hoursSinceShipped)} 小时` : '',
    f.hoursSinceElectronicSignoff !== undefined ? `电子签收后 ${Math.round(f.hoursSinceElectronicSignoff)} 小时` : '',
    f.tier === 'vip' ? 'VIP' : '',
  ].filter(Boolean);
  return parts.length ? `${f.primary}（${parts.join('，')}）` : f.primary;
}

/**
 * What one rule would have done over past tickets' facts (read-only), with up to 5 examples. A
 * disabled rule is replayed too, so a new rule can be tried before it is switched on.
 */
export function dryRun(rule: Rule, past: readonly RuleFacts[]): { matched: number; total: number; examples: string[] } {
  const hits = past.filter((f) => holds(rule.when, f) && (!rule.any || rule.any.some((c) => holds(c, f))));
  const what = rule.actions.map(actionZh).join('、');
  return { matched: hits.length, total: past.length, examples: hits.slice(0, 5).map((f) => `${factsZh(f)} → ${what}`) };
}
