/**
 * The precedence decision of shared/docs/intents.md, shared by parse() and by threshold tuning so
 * that the thresholds are tuned for exactly the decision that ships: among the labels at or above
 * their threshold, the lowest precedence rank wins, the higher score inside one rank; when no label
 * passes, the best-scoring one.
 */

/** Calibrated score at which a label counts as present (its own threshold maps to 0.5). */
export const PRESENT = 0.5;

/** Maps a raw sigmoid score onto [0,1] with the label's threshold at 0.5 (piecewise linear, monotone). */
export function calibrate(score: number, threshold: number): number {
  if (score >= threshold) return 0.5 + (0.5 * (score - threshold)) / Math.max(1e-9, 1 - threshold);
  return (0.5 * score) / Math.max(1e-9, threshold);
}

/**
 * Index of the primary among `scores` (calibrated), given each entry's precedence rank; entries with
 * `live[i] === 0` do not take part. -1 when no entry does. Ties go to the lower index.
 */
export function primaryIndex(scores: ArrayLike<number>, ranks: ArrayLike<number>, live?: ArrayLike<number>): number {
  let best = -1;
  let top = -1;
  for (let i = 0; i < scores.length; i++) {
    if (live && live[i] === 0) continue;
    const s = scores[i] ?? 0;
    if (top < 0 || s > (scores[top] ?? 0)) top = i;
    if (s < PRESENT) continue;
    const r = ranks[i] ?? 99;
    const br = best < 0 ? 100 : (ranks[best] ?? 99);
    if (r < br || (r === br && s > (scores[best] ?? 0))) best = i;
  }
  return best >= 0 ? best : top;
}

export interface LabelScore {
  id: string;
  score: number;
}

/** The live labels, best score first (ties in label order). */
export function rankedByScore(
  labels: readonly string[],
  scores: ArrayLike<number>,
  live: ArrayLike<number>,
  min = Number.NEGATIVE_INFINITY,
): LabelScore[] {
  const out: LabelScore[] = [];
  for (let k = 0; k < labels.length; k++) {
    const score = scores[k] ?? 0;
    if (live[k] !== 0 && score >= min) out.push({ id: labels[k] ?? '', score });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The labels present in a parse (calibrated score ≥ {@link PRESENT}), best first. */
export const presentByScore = (labels: readonly string[], scores: ArrayLike<number>, live: ArrayLike<number>) =>
  rankedByScore(labels, scores, live, PRESENT);
