/**
 * Per-label decision thresholds from k-fold cross-validation on the training data only (never on
 * the held-out split): each example is scored by a model that did not see it, and each label gets
 * the threshold that maximises its F1 on those out-of-fold scores.
 */
import { calibrate, PRESENT, primaryIndex } from './decide.ts';
import { type FitOptions, fitLinear } from './fit.ts';
import { scoreAll, seededRandom, shuffled } from './linear-model.ts';
import { vectorize } from './vectorizer.ts';

export interface CalibrationInput {
  docs: ReadonlyArray<readonly string[]>;
  ys: ReadonlyArray<ReadonlySet<number>>;
  nLabels: number;
  folds: number;
  fit: FitOptions;
}

/** Out-of-fold scores: `oof[i]` was produced by a model trained without example `i`. */
export function outOfFoldScores(input: CalibrationInput): Float64Array[] {
  const n = input.docs.length;
  const fold = new Int32Array(n);
  shuffled(n, seededRandom(input.fit.sgd.seed + 1)).forEach((i, pos) => {
    fold[i] = pos % input.folds;
  });
  const oof: Float64Array[] = Array.from({ length: n }, () => new Float64Array(input.nLabels));
  for (let f = 0; f < input.folds; f++) {
    const pool = [...fold.keys()].filter((i) => fold[i] !== f);
    const { vocab, model } = fitLinear({ docs: input.docs, ys: input.ys, pool, nLabels: input.nLabels }, input.fit);
    for (let i = 0; i < n; i++) if (fold[i] === f) oof[i] = scoreAll(model, vectorize(input.docs[i] ?? [], vocab));
  }
  return oof;
}

const GRID_MIN = 0.1;
const GRID_MAX = 0.9;
const GRID_STEP = 0.01;

function f1At(scores: readonly number[], truth: readonly boolean[], t: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    const pred = s >= t;
    if (pred && truth[i]) tp++;
    else if (pred) fp++;
    else if (truth[i]) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** The F1-maximising threshold of one label; on a plateau of equal F1, its middle (less sensitive to noise). */
export function bestThreshold(scores: readonly number[], truth: readonly boolean[]): number {
  let best = -1;
  let from = 0.5;
  let to = 0.5;
  for (let k = 0; GRID_MIN + k * GRID_STEP <= GRID_MAX + 1e-9; k++) {
    const t = Math.round((GRID_MIN + k * GRID_STEP) * 100) / 100;
    const f = f1At(scores, truth, t);
    if (f > best + 1e-12) {
      best = f;
      from = t;
      to = t;
    } else if (Math.abs(f - best) <= 1e-12 && to === Math.round((t - GRID_STEP) * 100) / 100) to = t;
  }
  return Math.round(((from + to) / 2) * 100) / 100;
}

/** Thresholds for every label from out-of-fold scores. */
export function calibrateThresholds(
  oof: readonly Float64Array[],
  ys: ReadonlyArray<ReadonlySet<number>>,
  nLabels: number,
): number[] {
  return Array.from({ length: nLabels }, (_, k) =>
    bestThreshold(
      oof.map((s) => s[k] ?? 0),
      ys.map((y) => y.has(k)),
    ),
  );
}

export interface TuneInput {
  oof: readonly Float64Array[];
  ys: ReadonlyArray<ReadonlySet<number>>;
  /** Expected primary label index of each example (precedence over its labels). */
  expected: readonly number[];
  /** Precedence rank of each label index. */
  ranks: readonly number[];
  start: readonly number[];
  rounds: number;
}

/** Calibrated scores of every example, row-major (example × label), kept up to date while tuning. */
function calibratedMatrix(oof: readonly Float64Array[], th: readonly number[]): Float64Array {
  const k = th.length;
  const cal = new Float64Array(oof.length * k);
  oof.forEach((s, i) => {
    for (let l = 0; l < k; l++) cal[i * k + l] = calibrate(s[l] ?? 0, th[l] ?? 0.5);
  });
  return cal;
}

/** Primary accuracy + micro-F1 if label `l` had threshold `t` (other labels as in `cal`). */
function objectiveWith(input: TuneInput, cal: Float64Array, k: number, l: number, t: number): number {
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < input.oof.length; i++) {
    const row = cal.subarray(i * k, i * k + k);
    const keep = row[l] ?? 0;
    row[l] = calibrate(input.oof[i]?.[l] ?? 0, t);
    const y = input.ys[i];
    for (let m = 0; m < k; m++) {
      const present = (row[m] ?? 0) >= PRESENT;
      const gold = y?.has(m) ?? false;
      if (present && gold) tp++;
      else if (present) fp++;
      else if (gold) fn++;
    }
    if (primaryIndex(row, input.ranks) === input.expected[i]) correct++;
    row[l] = keep;
  }
  return correct / Math.max(1, input.oof.length) + (2 * tp) / Math.max(1, 2 * tp + fp + fn);
}

/**
 * Coordinate ascent on the thresholds for primary accuracy + micro-F1 of the out-of-fold scores,
 * through the very precedence decision parse() makes. F1-optimal thresholds per label ignore that a
 * weak `safety_issue` outranks a strong `quality_issue`; this step accounts for it.
 */
export function tuneThresholds(input: TuneInput): number[] {
  const th = [...input.start];
  const k = th.length;
  const cal = calibratedMatrix(input.oof, th);
  let best = objectiveWith(input, cal, k, 0, th[0] ?? 0.5);
  for (let round = 0; round < input.rounds; round++) {
    for (let l = 0; l < k; l++) {
      let bestT = th[l] ?? 0.5;
      for (let g = 0; GRID_MIN + g * GRID_STEP <= GRID_MAX + 1e-9; g++) {
        const t = Math.round((GRID_MIN + g * GRID_STEP) * 100) / 100;
        const v = objectiveWith(input, cal, k, l, t);
        if (v > best + 1e-9) {
          best = v;
          bestT = t;
        }
      }
      th[l] = bestT;
      input.oof.forEach((s, i) => {
        cal[i * k + l] = calibrate(s[l] ?? 0, bestT);
      });
    }
  }
  return th;
}
