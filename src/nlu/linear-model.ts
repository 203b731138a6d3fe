/**
 * One-vs-rest logistic regression trained with plain SGD from a fixed seed. Multi-label by nature
 * (each label has its own sigmoid), deterministic (seeded shuffle, fixed operation order), and fast
 * enough to cross-validate at every training run (stack.md: natural's LogisticRegression took ~10 min
 * on 2,000 examples; this takes well under a second).
 */
import type { SparseVector } from './vectorizer.ts';

export interface SgdOptions {
  epochs: number;
  learningRate: number;
  /** Learning-rate decay per step: lr_t = learningRate / (1 + decay·t). */
  decay: number;
  /** L2 penalty per step. */
  l2: number;
  /** Loss weight of positive examples (each label is rare, ~1 in 24). */
  positiveWeight: number;
  seed: number;
}

export interface LinearWeights {
  weights: Float64Array[];
  bias: Float64Array;
}

/** mulberry32: a tiny seeded PRNG, so the shuffle order (and so the model) depends on the seed only. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(n: number, rnd: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const tmp = order[i] ?? i;
    order[i] = order[j] ?? j;
    order[j] = tmp;
  }
  return order;
}

function dot(w: Float64Array, x: SparseVector): number {
  let s = 0;
  for (let j = 0; j < x.idx.length; j++) s += (w[x.idx[j] ?? 0] ?? 0) * (x.val[j] ?? 0);
  return s;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

interface State {
  w: Float64Array[];
  scale: Float64Array;
  b: Float64Array;
}

function step(s: State, k: number, x: SparseVector, y: number, lr: number, o: SgdOptions): void {
  const w = s.w[k] ?? new Float64Array(0);
  const p = sigmoid(dot(w, x) * (s.scale[k] ?? 1) + (s.b[k] ?? 0));
  const g = (p - y) * (y === 1 ? o.positiveWeight : 1);
  // L2 as a multiplicative scale on the whole weight vector: O(nnz) per step instead of O(dim).
  let scale = (s.scale[k] ?? 1) * (1 - lr * o.l2);
  if (scale < 1e-6) {
    for (let j = 0; j < w.length; j++) w[j] = (w[j] ?? 0) * scale;
    scale = 1;
  }
  s.scale[k] = scale;
  const delta = (lr * g) / scale;
  for (let j = 0; j < x.idx.length; j++) {
    const i = x.idx[j] ?? 0;
    w[i] = (w[i] ?? 0) - delta * (x.val[j] ?? 0);
  }
  s.b[k] = (s.b[k] ?? 0) - lr * g;
}

/** Trains one sigmoid per label; `ys[i]` holds the label indices of example `i`. */
export function trainOneVsRest(
  xs: readonly SparseVector[],
  ys: ReadonlyArray<ReadonlySet<number>>,
  nLabels: number,
  dim: number,
  o: SgdOptions,
): LinearWeights {
  const s: State = {
    w: Array.from({ length: nLabels }, () => new Float64Array(dim)),
    scale: new Float64Array(nLabels).fill(1),
    b: new Float64Array(nLabels),
  };
  const rnd = seededRandom(o.seed);
  let t = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (const i of shuffled(xs.length, rnd)) {
      const x = xs[i];
      const y = ys[i];
      if (!x || !y) continue;
      const lr = o.learningRate / (1 + o.decay * t++);
      for (let k = 0; k < nLabels; k++) step(s, k, x, y.has(k) ? 1 : 0, lr, o);
    }
  }
  s.w.forEach((w, k) => {
    const scale = s.scale[k] ?? 1;
    for (let j = 0; j < w.length; j++) w[j] = (w[j] ?? 0) * scale;
  });
  return { weights: s.w, bias: s.b };
}

/** Sigmoid score of every label for one vector. */
export function scoreAll(m: LinearWeights, x: SparseVector): Float64Array {
  const out = new Float64Array(m.weights.length);
  m.weights.forEach((w, k) => {
    out[k] = sigmoid(dot(w, x) + (m.bias[k] ?? 0));
  });
  return out;
}

/** Sigmoid score of every label for the first `m` entries of a sparse vector, written into `out`. */
export type BufferedScorer = (idx: Int32Array, val: Float64Array, m: number, out: Float64Array) => void;

/**
 * A scorer for the shipped model: weights copied feature-major as float32 (the 24 weights of one
 * feature sit side by side in 96 bytes), so scoring a message touches one or two cache lines per
 * feature instead of one per label, and the matrix is half the size of float64. Float32 keeps ~7
 * significant digits, more than the 6 decimals the model file stores.
 */
export function compileScorer(m: {
  weights: ReadonlyArray<ArrayLike<number>>;
  bias: ArrayLike<number>;
}): BufferedScorer {
  const k = m.weights.length;
  const dim = m.weights[0]?.length ?? 0;
  const flat = new Float32Array(k * dim);
  m.weights.forEach((w, label) => {
    for (let j = 0; j < dim; j++) flat[j * k + label] = w[j] ?? 0;
  });
  const bias = Float64Array.from(m.bias);
  return (idx, val, n, out) => {
    out.set(bias);
    for (let j = 0; j < n; j++) {
      const base = (idx[j] ?? 0) * k;
      const v = val[j] ?? 0;
      for (let label = 0; label < k; label++) out[label] = (out[label] ?? 0) + (flat[base + label] ?? 0) * v;
    }
    for (let label = 0; label < k; label++) out[label] = sigmoid(out[label] ?? 0);
  };
}
