/**
 * Decisive rule overrides from intents/rules.yml, applied after the classifier: a cue such as 过敏
 * or 12315 is too important to leave to a statistical model that may have seen few such sentences.
 */
import type { RuleDef } from './intents-schema.ts';
import { createTriggerMatcher } from './phrase-index.ts';

/**
 * Applies every firing rule to `scores` (label → calibrated score, changed in place): the rule's label
 * gets at least the rule's score, labels in `remove` are dropped. Returns the notes `rule:<id>`.
 */
export type RuleApplier = (folded: string, scores: Map<string, number>) => string[];

export function createRuleApplier(rules: readonly RuleDef[]): RuleApplier {
  const match = createTriggerMatcher(rules.map((r) => ({ words: r.any, unless: r.unless, value: r })));
  return (folded, scores) =>
    match(folded).map((rule) => {
      scores.set(rule.add, Math.max(scores.get(rule.add) ?? 0, rule.score));
      for (const id of rule.remove ?? []) scores.delete(id);
      return `rule:${rule.id}`;
    });
}
