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
 * The shipped form of the weights: feature-major (the weights of one feature side by side, `labels`
 * per feature) and quantised to int16 with one scale for the whole matrix (weight ≈ q × scale).
 */
export interface QuantizedWeights {
  q: Int16Array;
  scale: number;
  labels: number;
}

/**
 * Quantises label-major weights (weights[label][feature]). The largest |weight| maps to ±32767; the
 * rounding error (≤ scale/2 ≈ max|w|/65534, ~3·10⁻⁴ here) changes no held-out decision, and no score
 * of a training text by more than 3·10⁻⁴ (the parse rounds scores to 10⁻³).
 */
export function quantize(weights: ReadonlyArray<ArrayLike<number>>): QuantizedWeights {
  const k = weights.length;
  const dim = weights[0]?.length ?? 0;
  let largest = 0;
  for (const w of weights) for (let j = 0; j < dim; j++) largest = Math.max(largest, Math.abs(w[j] ?? 0));
  const scale = largest > 0 ? largest / 32767 : 1;
  const q = new Int16Array(k * dim);
  weights.forEach((w, label) => {
    for (let j = 0; j < dim; j++) q[j * k + label] = Math.round((w[j] ?? 0) / scale);
  });
  return { q, scale, labels: k };
}

/** Labels per block of the scorer's inner loop (eight running sums in registers). */
const BLOCK = 8;

/**
 * The weights of `w` two labels to an int32 (label 2p in the low half, 2p+1 in the high half), each
 * feature's row padded to `stride` labels: one load and bounds check per two weights.
 */
function pairRows(w: QuantizedWeights, stride: number): Int32Array {
  const k = w.labels;
  const dim = k > 0 ? Math.floor(w.q.length / k) : 0;
  const pairs = new Int32Array((stride / 2) * dim);
  for (let j = 0; j < dim; j++) {
    for (let label = 0; label < k; label++) {
      const at = (j * stride + label) >> 1;
      const q = w.q[j * k + label] ?? 0;
      pairs[at] = (pairs[at] ?? 0) | (label % 2 === 0 ? q & 0xffff : q << 16);
    }
  }
  return pairs;
}

const low = (pair: number) => (pair << 16) >> 16;
const high = (pair: number) => pair >> 16;

/**
 * A scorer for the shipped model. A feature's row is its 24 int16 weights (48 bytes, about one
 * cache line; padded to a multiple of 8 labels), so a message reads one or two cache lines per
 * feature, and the matrix (1.7 MB for 37k features) is a quarter of float64. The inner loop keeps eight labels' sums
 * in local variables for one pass over the features, which V8 compiles to register arithmetic: ~2×
 * a plain label loop that reads and writes `out` each time. The weights are read two per int32
 * (pairRows): half the loads and bounds checks, score() ~3.9 → ~3.5 µs per message.
 */
export function compileScorer(w: QuantizedWeights, biasIn: ArrayLike<number>): BufferedScorer {
  const k = w.labels;
  const stride = Math.ceil(k / BLOCK) * BLOCK;
  const half = stride / 2;
  const scale = w.scale;
  const pairs = pairRows(w, stride);
  const bias = Float64Array.from(biasIn);
  const sums = new Float64Array(stride);
  return (idx, val, n, out) => {
    for (let h = 0; h < half; h += BLOCK / 2) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let j = 0; j < n; j++) {
        const at = (idx[j] ?? 0) * half + h;
        const v = val[j] ?? 0;
        const p0 = pairs[at] ?? 0;
        const p1 = pairs[at + 1] ?? 0;
        const p2 = pairs[at + 2] ?? 0;
        const p3 = pairs[at + 3] ?? 0;
        s0 += low(p0) * v;
        s1 += high(p0) * v;
        s2 += low(p1) * v;
        s3 += high(p1) * v;
        s4 += low(p2) * v;
        s5 += high(p2) * v;
        s6 += low(p3) * v;
        s7 += high(p3) * v;
      }
      const at = h * 2;
      sums[at] = s0;
      sums[at + 1] = s1;
      sums[at + 2] = s2;
      sums[at + 3] = s3;
      sums[at + 4] = s4;
      sums[at + 5] = s5;
      sums[at + 6] = s6;
      sums[at + 7] = s7;
    }
    for (let label = 0; label < k; label++) out[label] = sigmoid((sums[label] ?? 0) * scale + (bias[label] ?? 0));
  };
}

/** Int16 values as little-endian base64 (the model file), independent of the machine's byte order. */
export function int16ToBase64(q: Int16Array): string {
  const bytes = new Uint8Array(q.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < q.length; i++) view.setInt16(i * 2, q[i] ?? 0, true);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The inverse of {@link int16ToBase64}; undefined when the text is not a whole number of int16. */
export function int16FromBase64(text: string): Int16Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 2 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = new Int16Array(bytes.length / 2);
  for (let i = 0; i < q.length; i++) q[i] = view.getInt16(i * 2, true);
  return q;
}
