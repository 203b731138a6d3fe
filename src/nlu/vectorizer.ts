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

/**
 * Turns feature keys into an L2-normalised TF-IDF vector; unknown keys are ignored. Entries are in
 * the order of each feature's first occurrence (not sorted: the parse-time featurizer builds the
 * same order without a sort).
 */
export function vectorize(keys: readonly string[], vocab: Vocabulary): SparseVector {
  const slot = new Map<number, number>();
  const idx = new Int32Array(keys.length);
  const counts = new Int32Array(keys.length);
  let m = 0;
  for (const k of keys) {
    const i = vocab.index.get(k);
    if (i === undefined) continue;
    const at = slot.get(i);
    if (at === undefined) {
      slot.set(i, m);
      idx[m] = i;
      counts[m++] = 1;
    } else counts[at] = (counts[at] ?? 0) + 1;
  }
  const val = new Float64Array(m);
  tfidf(idx, counts, m, vocab.idf, val);
  return { idx: idx.slice(0, m), val };
}

/**
 * Sublinear TF × idf of the distinct features `idx[0..m)` seen `counts[0..m)` times, L2-normalised,
 * into `val`. Shared by training and the parse-time featurizer, so both give the same floats.
 */
export function tfidf(idx: Int32Array, counts: Int32Array, m: number, idf: Float64Array, val: Float64Array): void {
  let norm = 0;
  for (let j = 0; j < m; j++) {
    const count = counts[j] ?? 1;
    // 1 + log(1) is exactly 1: skip the log for the (usual) single occurrence.
    const w = (count === 1 ? 1 : 1 + Math.log(count)) * (idf[idx[j] ?? 0] ?? 0);
    val[j] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < m; j++) val[j] = (val[j] ?? 0) / norm;
}
