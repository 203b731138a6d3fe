/**
 * TF-IDF over the feature keys of features.ts: sublinear term frequency, smoothed idf, L2-normalised
 * sparse vectors. The vocabulary is sorted so that the same training data always gives the same
 * feature indices (and a byte-identical model file).
 */

export interface SparseVector {
  idx: Int32Array;
  val: Float64Array;
}

export interface Vocabulary {
  index: Map<string, number>;
  idf: Float64Array;
}

/** Builds the vocabulary from the feature keys of every training document; keys seen in fewer than `minDf` documents are dropped. */
export function buildVocabulary(docs: ReadonlyArray<readonly string[]>, minDf: number): Vocabulary {
  const df = new Map<string, number>();
  for (const keys of docs) {
    for (const k of new Set(keys)) df.set(k, (df.get(k) ?? 0) + 1);
  }
  // Most frequent first (ties by key, so the order is fixed): the rows of the features nearly every
  // message has sit together at the start of the weight matrix and stay in the CPU cache.
  const kept = [...df.entries()]
    .filter(([, n]) => n >= minDf)
    .sort(([ka, na], [kb, nb]) => nb - na || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([k]) => k);
  const index = new Map<string, number>();
  const idf = new Float64Array(kept.length);
  kept.forEach((k, i) => {
    index.set(k, i);
    idf[i] = Math.log((docs.length + 1) / ((df.get(k) ?? 0) + 1)) + 1;
  });
  return { index, idf };
}

/** Rebuilds a vocabulary from its serialised form (keys in index order). */
export function vocabularyFrom(keys: readonly string[], idf: readonly number[]): Vocabulary {
  const index = new Map<string, number>();
  for (const [i, k] of keys.entries()) index.set(k, i);
  return { index, idf: Float64Array.from(idf) };
}

/** Turns feature keys into an L2-normalised TF-IDF vector; unknown keys are ignored. */
export function vectorize(keys: readonly string[], vocab: Vocabulary): SparseVector {
  const found = new Int32Array(keys.length);
  let n = 0;
  for (const k of keys) {
    const i = vocab.index.get(k);
    if (i !== undefined) found[n++] = i;
  }
  return weigh(found.subarray(0, n), vocab.idf);
}

/**
 * Sublinear TF × idf of a bag of feature indices (repeats counted), L2-normalised. Sorts `indices`
 * in place. Shared with the parse-time featurizer, so both give the same floats in the same order.
 */
export function weigh(indices: Int32Array, idf: Float64Array): SparseVector {
  const idx = new Int32Array(indices.length);
  const val = new Float64Array(indices.length);
  const m = weighInto(indices, indices.length, idf, idx, val);
  return { idx: idx.subarray(0, m), val: val.subarray(0, m) };
}

/**
 * {@link weigh} into caller-owned buffers (no allocation): sorts `indices[0..n)` in place, writes the
 * distinct indices and their weights to `idx`/`val` (each at least `n` long) and returns how many.
 */
export function weighInto(
  indices: Int32Array,
  n: number,
  idf: Float64Array,
  idx: Int32Array,
  val: Float64Array,
): number {
  const sorted = (n === indices.length ? indices : indices.subarray(0, n)).sort();
  let m = 0;
  let norm = 0;
  for (let j = 0; j < n; ) {
    const i = sorted[j] ?? 0;
    let count = 0;
    while (j < n && sorted[j] === i) {
      count++;
      j++;
    }
    // 1 + log(1) is exactly 1: skip the log for the (usual) single occurrence.
    const w = (count === 1 ? 1 : 1 + Math.log(count)) * (idf[i] ?? 0);
    idx[m] = i;
    val[m++] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < m; j++) val[j] = (val[j] ?? 0) / norm;
  return m;
}
