/**
 * Clarifying questions (intents/clarify.yml): when to ask instead of guessing, which question to ask,
 * and which option a customer's answer picks.
 */
import type { IntentScore, Parse } from './contract.ts';
import type { ClarifyFile, LabelDef } from './intents-schema.ts';

/** Two labels both present this strongly are a real multi-label message, not a tie to ask about. */
const SURE_SCORE = 0.8;

function pairQuestion(a: string, b: string, clarify: ClarifyFile): Parse['clarify'] {
  const pair = clarify.pairs.find((p) => p.labels.includes(a) && p.labels.includes(b) && a !== b);
  return pair ? { question: pair.question, options: [...pair.labels] } : undefined;
}

/** The question of the first of `others` that forms a clarify pair with `primary`. */
function firstPairQuestion(primary: string, others: readonly IntentScore[], clarify: ClarifyFile): Parse['clarify'] {
  for (const o of others) {
    const q = pairQuestion(primary, o.id, clarify);
    if (q) return q;
  }
  return undefined;
}

/**
 * The question to ask, or undefined when the parse is sure enough. `ranked(min)` gives the labels
 * whose calibrated score (0.5 = the label's own threshold) is at least `min`, best first; it is only
 * called when needed, and only near ties need more than the runner-up.
 *
 * Both cases look their pair up through one firstPairQuestion: its calls then have type feedback from
 * the common low-confidence case when the rare same-rank tie first comes (a call of its own there
 * deoptimised parse(), into which this is inlined).
 */
export function chooseClarify(
  ranked: (min: number) => readonly IntentScore[],
  primary: IntentScore,
  clarify: ClarifyFile,
  rankOf: ReadonlyMap<string, number>,
): Parse['clarify'] {
  if (primary.score >= SURE_SCORE && primary.score >= clarify.minConfidence) return undefined;
  if (primary.score < clarify.minConfidence) {
    const runnerUp = ranked(Number.NEGATIVE_INFINITY).filter((s) => s.id !== primary.id);
    const q = firstPairQuestion(primary.id, runnerUp.slice(0, 1), clarify);
    return q ?? { question: clarify.fallback.question, options: [...clarify.fallback.options] };
  }
  if (primary.score >= SURE_SCORE) return undefined;
  // Labels further than tieMargin below the primary end the loop anyway (the margin is widened a
  // little so that rounding in the subtraction cannot drop a label the loop would have looked at).
  const rank = rankOf.get(primary.id);
  const ties = ranked(primary.score - clarify.tieMargin - 1e-9).filter(
    (s) => s.id !== primary.id && primary.score - s.score <= clarify.tieMargin && rankOf.get(s.id) === rank,
  );
  return firstPairQuestion(primary.id, ties, clarify);
}

const stripPunct = (s: string) => s.replace(/[\s\p{P}\p{S}]+/gu, '');

function ordinalPick(folded: string, options: readonly string[], clarify: ClarifyFile): string | undefined {
  const bare = stripPunct(folded);
  for (const [n, words] of clarify.ordinals.entries()) {
    const hit = words.some((w) => (/^\d+$/.test(w) ? bare === w : bare.includes(w)));
    if (hit) return options[n];
  }
  return undefined;
}

/**
 * The option an answer picks: by ordinal (第二个, 后者), else by the longest answer word or 中文名 it
 * contains ("不换了，退货退款" picks 退货退款 over 换). Undefined when the answer names no option.
 */
export function resolveClarifyAnswer(
  folded: string,
  options: readonly string[],
  clarify: ClarifyFile,
  labels: readonly LabelDef[],
): string | undefined {
  const byOrdinal = ordinalPick(folded, options, clarify);
  if (byOrdinal) return byOrdinal;
  let best: { id: string; len: number } | undefined;
  for (const id of options) {
    const zh = labels.find((l) => l.id === id)?.zh;
    const words = [...(clarify.answers[id] ?? []), ...(zh ? [zh] : [])];
    for (const w of words) {
      if (folded.includes(w.toLowerCase()) && w.length > (best?.len ?? 0)) best = { id, len: w.length };
    }
  }
  return best?.id;
}
