/**
 * Decisive rule overrides from intents/rules.yml, applied after the classifier: a cue such as 过敏
 * or 12315 is too important to leave to a statistical model that may have seen few such sentences.
 */
import type { RuleDef } from './intents-schema.ts';
import { createTriggerMatcher } from './phrase-index.ts';

/**
 * Applies every firing rule to `scores` (calibrated, in the label order of `indexOf`, changed in
 * place): the rule's label gets at least the rule's score, labels in `remove` are dropped (`live` = 0).
 * Returns the notes `rule:<id>`.
 */
export type RuleApplier = (folded: string, scores: Float64Array, live: Uint8Array) => string[];

export function createRuleApplier(rules: readonly RuleDef[], indexOf: ReadonlyMap<string, number>): RuleApplier {
  const match = createTriggerMatcher(
    rules.map((r) => ({
      words: r.any,
      unless: r.unless,
      value: {
        note: `rule:${r.id}`,
        add: indexOf.get(r.add) ?? -1,
        score: r.score,
        remove: (r.remove ?? []).map((id) => indexOf.get(id) ?? -1).filter((k) => k >= 0),
      },
    })),
  );
  return (folded, scores, live) =>
    match(folded).map((rule) => {
      if (rule.add >= 0) {
        // A label an earlier rule removed comes back at the rule's score, as if it had none.
        scores[rule.add] = live[rule.add] ? Math.max(scores[rule.add] ?? 0, rule.score) : rule.score;
        live[rule.add] = 1;
      }
      for (const k of rule.remove) live[k] = 0;
      return rule.note;
    });
}
