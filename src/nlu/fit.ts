/**
 * One training run on a subset of the examples: vocabulary from that subset only, then SGD. Shared
 * by cross-validation and the final model, so that the thresholds are calibrated on exactly the
 * kind of model that ships.
 */
import { type LinearWeights, type SgdOptions, trainOneVsRest } from './linear-model.ts';
import { buildVocabulary, type Vocabulary, vectorize } from './vectorizer.ts';

export interface FitOptions {
  minDf: number;
  sgd: SgdOptions;
}

export interface FitInput {
  docs: ReadonlyArray<readonly string[]>;
  ys: ReadonlyArray<ReadonlySet<number>>;
  /** Indices of the examples this run may use (a cross-validation fold's training part, or all). */
  pool: readonly number[];
  nLabels: number;
}

/** Trains on `pool` only: no feature, idf or weight sees an example outside it. */
export function fitLinear(input: FitInput, o: FitOptions): { vocab: Vocabulary; model: LinearWeights } {
  const docs = input.pool.map((i) => input.docs[i] ?? []);
  const ys = input.pool.map((i) => input.ys[i] ?? new Set<number>());
  const vocab = buildVocabulary(docs, o.minDf);
  const xs = docs.map((d) => vectorize(d, vocab));
  const model = trainOneVsRest(xs, ys, input.nLabels, vocab.idf.length, o.sgd);
  return { vocab, model };
}
