/**
 * Decisive rule overrides from intents/rules.yml, applied after the classifier: a cue such as 过敏
 * or 12315 is too important to leave to a statistical model that may have seen few such sentences.
 */

import { PRESENT } from './decide.ts';
import type { NegationDef, RequireDef, RuleDef } from './intents-schema.ts';
import { createTriggerMatcher } from './phrase-index.ts';

/**
 * Applies every firing rule to `scores` (calibrated, in the label order of `indexOf`, changed in
 * place): the rule's label gets at least the rule's score, labels in `remove` are dropped (`live` = 0).
 * Returns the notes `rule:<id>`.
 */
export type RuleApplier = (folded: string, scores: Float64Array, live: Uint8Array) => string[];

export function createRuleApplier(
  rules: readonly RuleDef[],
  indexOf: ReadonlyMap<string, number>,
  requires: readonly RequireDef[] = [],
  negation?: NegationDef,
): RuleApplier {
  const match = createTriggerMatcher(
    rules.map((r) => ({
      words: r.any,
      unless: r.unless,
      value: {
        note: `rule:${r.id}`,
        add: indexOf.get(r.add) ?? -1,
        score: r.score,
        remove: (r.remove ?? []).map((id) => indexOf.get(id) ?? -1).filter((k) => k >= 0),
        unlessAbove: r.unlessAbove,
        unlessWith: r.unlessWith ?? [],
      },
    })),
  );
  const other = indexOf.get('other') ?? -1;
  /** The best score among the live labels but `except`. */
  const bestLive = (scores: Float64Array, live: Uint8Array, except = -1) => {
    let best = 0;
    for (let k = 0; k < scores.length; k++) if (k !== except && live[k]) best = Math.max(best, scores[k] ?? 0);
    return best;
  };
  const needs = requires
    .map((r) => ({ note: `rule:${r.id}`, label: indexOf.get(r.label) ?? -1, words: r.any, keepAbove: r.keepAbove }))
    .filter((r) => r.label >= 0);
  /**
   * Drops a label that lacks the evidence it needs (after the rules, so a rule's own cue counts) — when it
   * counts: present, or the best score left (the primary when no label is present).
   */
  const checkEvidence = (folded: string, scores: Float64Array, live: Uint8Array, notes: string[], best: number) => {
    for (const need of needs) {
      const score = scores[need.label] ?? 0;
      if (!live[need.label] || score >= need.keepAbove) continue;
      if (score < PRESENT && best > score) continue;
      if (need.words.some((w) => folded.includes(w))) continue;
      live[need.label] = 0;
      notes.push(need.note);
    }
  };
  const negated = negationChecker(negation, indexOf);
  /**
   * The last steps, in order: evidence, then requests said not to be wanted. A message that only said what it
   * does not want (「我不是要投诉 就是问问」) names no matter: it is `other`, not the classifier's weak next guess.
   */
  const finish = (folded: string, scores: Float64Array, live: Uint8Array, notes: string[]) => {
    // One pass for the best score both steps compare against (parse() runs this for every message).
    const best = bestLive(scores, live);
    checkEvidence(folded, scores, live, notes, best);
    const denied = negated(folded, scores, live, notes, best);
    if (denied > 0 && other >= 0 && bestLive(scores, live) < PRESENT) {
      scores[other] = Math.max(scores[other] ?? 0, PRESENT + 0.1);
      live[other] = 1;
    }
    return notes;
  };
  return (folded, scores, live) => {
    const fired = match(folded);
    if (fired.length === 0) return finish(folded, scores, live, []);
    // The classifier's own best score among the labels that name a matter (before any rule).
    const found = bestLive(scores, live, other);
    const notes = fired
      .filter((rule) => rule.unlessAbove === undefined || found < rule.unlessAbove)
      .filter((rule) => !rule.unlessWith.some((w) => folded.includes(w)))
      .map((rule) => {
        if (rule.add >= 0) {
          // A label an earlier rule removed comes back at the rule's score, as if it had none.
          scores[rule.add] = live[rule.add] ? Math.max(scores[rule.add] ?? 0, rule.score) : rule.score;
          live[rule.add] = 1;
        }
        for (const k of rule.remove) live[k] = 0;
        return rule.note;
      });
    return finish(folded, scores, live, notes);
  };
}

/**
 * rules.yml `negation`: a live label whose cue words all stand right after a negator (「不要补偿」, 「我没说要退货」,
 * 「不用转人工」) is dropped, noted `negated:<label>`; not when the clause asks (「不补偿吗」). A cue inside a
 * longer cue counts with it (人工 in 转人工). A label none of whose cues the message names is left to the
 * classifier.
 */
function negationChecker(negation: NegationDef | undefined, indexOf: ReadonlyMap<string, number>) {
  const labels = Object.entries(negation?.cues ?? {})
    .map(([id, cues]) => ({ id, k: indexOf.get(id) ?? -1, cues: [...cues].sort((a, b) => b.length - a.length) }))
    .filter((l) => l.k >= 0);
  const negators = negation?.negators ?? [];
  /**
   * A negator right before `at`, no question in the rest of the clause (「不补偿吗」 asks for it), and no 了 right
   * after: 「算了不取消了」 takes back a request, which the handler matches to its ticket by this very label.
   */
  const negatedAt = (text: string, at: number, end: number) =>
    negators.some((n) => at >= n.length && text.endsWith(n, at)) &&
    text[end] !== '了' &&
    !/^[^，,。.!！\s]*?(?:吗|么|嘛|[?？])/u.test(text.slice(end));
  /** Drops the labels said not to be wanted; returns how many. */
  return (folded: string, scores: Float64Array, live: Uint8Array, notes: string[], best: number): number => {
    let dropped = 0;
    // Only labels that can decide anything: present, or the best score when none is.
    const bar = Math.min(PRESENT, best);
    for (const { id, k, cues } of labels) {
      if (!live[k] || (scores[k] ?? 0) < bar) continue;
      const covered: [number, number][] = [];
      let said = 0;
      let denied = 0;
      for (const cue of cues) {
        for (let at = folded.indexOf(cue); at >= 0; at = folded.indexOf(cue, at + 1)) {
          if (covered.some(([s, e]) => at >= s && at < e)) continue;
          covered.push([at, at + cue.length]);
          said++;
          if (negatedAt(folded, at, at + cue.length)) denied++;
        }
      }
      if (said > 0 && denied === said) {
        live[k] = 0;
        notes.push(`negated:${id}`);
        dropped++;
      }
    }
    return dropped;
  };
}
