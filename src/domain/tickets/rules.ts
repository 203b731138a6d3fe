import { z } from 'zod';

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

const list = z.array(z.string().min(1)).min(1);
const Conditions = z.strictObject({
  event: z.enum(['ticket_opened', 'message']).optional(),
  primary_in: list.optional(),
  any_intent_in: list.optional(),
  cue_in: list.optional(),
  tier_in: list.optional(),
  order_source_in: list.optional(),
  urgency_in: list.optional(),
  hours_since_shipped_lte: z.number().positive().optional(),
  hours_since_electronic_signoff_lte: z.number().positive().optional(),
});

export const RuleActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_priority'), priority: z.enum(['P1', 'P2', 'P3', 'P4']) }),
  z.strictObject({ type: z.literal('mark_reship') }),
  z.strictObject({
    type: z.literal('notify_group'),
    group: z.enum(['warehouse', 'managers']),
    text: z.string().min(1),
  }),
  z.strictObject({ type: z.literal('critical_lane') }),
  z.strictObject({ type: z.literal('escalate'), level: z.number().int().min(1).max(3) }),
  z.strictObject({ type: z.literal('add_flag'), flag: z.string().min(1) }),
]);
export type RuleAction = z.infer<typeof RuleActionSchema>;

export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  when: Conditions,
  // "any" groups let one rule list alternatives (e.g. 过敏 cue OR safety_issue)
  any: z.array(Conditions).optional(),
  actions: z.array(RuleActionSchema).min(1),
  explain: z.string().min(1),
});
export type Rule = z.infer<typeof RuleSchema>;

export const RulesFile = z.object({ version: z.literal(1), rules: z.array(RuleSchema) });

/** Parse rules; zod's message for an unknown key names it ("Unrecognized key"), prefixed in Chinese. */
export function rulesFromFile(json: unknown): Rule[] {
  const r = RulesFile.safeParse(json);
  if (!r.success)
    throw new Error(`规则文件无效：${r.error.issues.map((i) => `${i.path.join('.')}：${i.message}`).join('；')}`);
  return r.data.rules;
}

type Cond = z.infer<typeof Conditions>;

function holds(c: Cond, f: RuleFacts): boolean {
  const checks: boolean[] = [];
  if (c.event) checks.push(c.event === f.event);
  if (c.primary_in) checks.push(c.primary_in.includes(f.primary));
  if (c.any_intent_in) checks.push(f.intents.some((i) => c.any_intent_in?.includes(i)));
  if (c.cue_in) checks.push(f.cues.some((x) => c.cue_in?.includes(x)));
  if (c.tier_in) checks.push(f.tier !== undefined && c.tier_in.includes(f.tier));
  if (c.order_source_in) checks.push(f.orderSource !== undefined && c.order_source_in.includes(f.orderSource));
  if (c.urgency_in) checks.push(c.urgency_in.includes(f.urgency));
  if (c.hours_since_shipped_lte !== undefined)
    checks.push(f.hoursSinceShipped !== undefined && f.hoursSinceShipped <= c.hours_since_shipped_lte);
  if (c.hours_since_electronic_signoff_lte !== undefined) {
    checks.push(
      f.hoursSinceElectronicSignoff !== undefined &&
        f.hoursSinceElectronicSignoff <= c.hours_since_electronic_signoff_lte,
    );
  }
  return checks.every(Boolean);
}

export function evaluateRules(
  rules: readonly Rule[],
  facts: RuleFacts,
): { ruleId: string; name: string; actions: RuleAction[]; explanation: string }[] {
  return rules
    .filter((r) => r.enabled && holds(r.when, facts) && (!r.any || r.any.some((c) => holds(c, facts))))
    .map((r) => ({ ruleId: r.id, name: r.name, actions: r.actions, explanation: r.explain }));
}

/** What a rule would have done over past tickets. */
export function dryRun(rule: Rule, past: readonly RuleFacts[]): { matched: number; total: number; examples: string[] } {
  const hits = past.filter((f) => evaluateRules([rule], f).length > 0);
  return {
    matched: hits.length,
    total: past.length,
    examples: hits
      .slice(0, 5)
      .map(
        (f) =>
          `${f.primary}${f.cues.length ? `（${f.cues.join('、')}）` : ''} → ${rule.actions.map((a) => a.type).join(', ')}`,
      ),
  };
}
