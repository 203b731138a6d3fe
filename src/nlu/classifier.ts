/**
 * The intent classifier: TF-IDF over char 1–3-grams + jieba words, one-vs-rest logistic regression,
 * per-label thresholds from cross-validation. Trained from intents/train only; serialised to plain
 * JSON (numbers rounded, keys in a fixed order) so that the same data gives a byte-identical file.
 */
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { calibrateThresholds, outOfFoldScores, tuneThresholds } from './calibrate.ts';
import { primaryByPrecedence } from './eval-items.ts';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions, featureKeys } from './features.ts';
import { compileBufferedFeaturizer } from './featurizer.ts';
import { type FitOptions, fitLinear } from './fit.ts';
import type { LabelDef } from './intents-schema.ts';
import { compileScorer, int16FromBase64, int16ToBase64, type LinearWeights, quantize } from './linear-model.ts';
import type { ExampleSet } from './load-intents.ts';
import { foldText, MAX_PARSE_CHARS } from './normalize.ts';
import type { Tokenizer, TokenizerKind } from './tokenize.ts';
import { type Vocabulary, vocabularyFrom } from './vectorizer.ts';

export const MODEL_FORMAT = 'aftersales-intent-model/5';

export interface ClassifierOptions extends FitOptions {
  features: FeatureOptions;
  folds: number;
  /** Rounds of threshold tuning for the precedence decision (calibrate.ts); 0 keeps the per-label F1 optimum. */
  tuneRounds: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  minDf: 1,
  folds: 5,
  tuneRounds: 2,
  sgd: { epochs: 20, learningRate: 0.8, decay: 1e-4, l2: 1e-5, positiveWeight: 3, seed: 20240611 },
};

/** The serialised model (data/model/intents-model.json). */
export interface IntentModelJson {
  format: typeof MODEL_FORMAT;
  dataHash: string;
  tokenizer: TokenizerKind;
  options: ClassifierOptions;
  labels: string[];
  thresholds: number[];
  bias: number[];
  vocab: string[];
  idf: number[];
  /** One int16 step of `weights` (weight ≈ value × weightScale). */
  weightScale: number;
  /**
   * The weights quantised to int16, feature-major (`labels.length` values per feature, in vocab
   * order), little-endian, base64: 1/4 of the bytes of rounded decimals and no per-number parsing.
   */
  weights: string;
}

export interface IntentClassifier {
  readonly labels: readonly string[];
  readonly thresholds: readonly number[];
  /**
   * Sigmoid score per label (same order as `labels`) for already folded text and its tokens. The
   * array is the classifier's own buffer, overwritten by the next call: copy it to keep it.
   */
  score(folded: string, tokens: readonly string[]): Float64Array;
}

export interface TrainInput {
  labels: readonly LabelDef[];
  t2s: ReadonlyMap<string, string>;
  tokenizer: Tokenizer;
  dataHash: string;
  options?: ClassifierOptions;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Feature keys of raw example text, exactly as parse() will compute them. */
export function keysOf(
  text: string,
  t2s: ReadonlyMap<string, string>,
  tokenizer: Tokenizer,
  o: FeatureOptions,
): string[] {
  const folded = foldText(text.slice(0, MAX_PARSE_CHARS), t2s);
  return featureKeys(folded, tokenizer.cut(folded), o);
}

function labelSets(set: ExampleSet, labelIds: readonly string[]): Set<number>[] {
  const pos = new Map(labelIds.map((id, i) => [id, i]));
  return set.examples.map((e) => new Set(e.labels.map((l) => pos.get(l) ?? -1).filter((i) => i >= 0)));
}

/**
 * Trains the model on a training split. Refuses a held-out split: numbers measured on data the
 * model has seen would be worthless.
 */
export function trainIntentModel(set: ExampleSet, input: TrainInput): IntentModelJson {
  if (set.split !== 'train') throw new CodedError(ErrorCode.IntentsInvalid, '拒绝用留出集训练：留出集只能用于评测');
  if (set.examples.length === 0) throw new CodedError(ErrorCode.IntentsInvalid, '训练集为空：intents/train 下没有样例');
  const o = input.options ?? DEFAULT_CLASSIFIER_OPTIONS;
  const labelIds = input.labels.map((l) => l.id);
  const docs = set.examples.map((e) => keysOf(e.text, input.t2s, input.tokenizer, o.features));
  const ys = labelSets(set, labelIds);
  const oof = outOfFoldScores({ docs, ys, nLabels: labelIds.length, folds: o.folds, fit: o });
  const ranks = labelIds.map((id) => input.labels.find((l) => l.id === id)?.precedence ?? 99);
  const expected = set.examples.map((e) => labelIds.indexOf(primaryByPrecedence(e.labels, input.labels)));
  const f1Thresholds = calibrateThresholds(oof, ys, labelIds.length);
  const thresholds =
    o.tuneRounds > 0
      ? tuneThresholds({ oof, ys, expected, ranks, start: f1Thresholds, rounds: o.tuneRounds })
      : f1Thresholds;
  const pool = docs.map((_, i) => i);
  const { vocab, model } = fitLinear({ docs, ys, pool, nLabels: labelIds.length }, o);
  return serialise(model, vocab, { labelIds, thresholds, input, options: o });
}

function serialise(
  m: LinearWeights,
  vocab: Vocabulary,
  meta: { labelIds: string[]; thresholds: number[]; input: TrainInput; options: ClassifierOptions },
): IntentModelJson {
  const { q, scale } = quantize(m.weights.map((w) => [...w].map(round6)));
  return {
    format: MODEL_FORMAT,
    dataHash: meta.input.dataHash,
    tokenizer: meta.input.tokenizer.kind,
    options: meta.options,
    labels: meta.labelIds,
    thresholds: meta.thresholds,
    bias: [...m.bias].map(round6),
    vocab: [...vocab.index.keys()],
    idf: [...vocab.idf].map(round6),
    weightScale: scale,
    weights: int16ToBase64(q),
  };
}

/** Rebuilds a classifier from its JSON; throws IntentsInvalid when the file is not a model of this format. */
export function loadIntentClassifier(json: IntentModelJson): IntentClassifier {
  const q =
    json.format === MODEL_FORMAT && typeof json.weights === 'string' ? int16FromBase64(json.weights) : undefined;
  if (!q || q.length !== json.labels.length * json.vocab.length || !(json.weightScale > 0)) {
    throw new CodedError(ErrorCode.IntentsInvalid, '模型文件格式不对，请运行 aftersales train 重新训练');
  }
  const vocab = vocabularyFrom(json.vocab, json.idf);
  const scorer = compileScorer({ q, scale: json.weightScale, labels: json.labels.length }, json.bias);
  const featurizer = compileBufferedFeaturizer(vocab, json.options.features);
  const out = new Float64Array(json.labels.length);
  return {
    labels: json.labels,
    thresholds: json.thresholds,
    score: (folded, tokens) => {
      const m = featurizer.fill(folded, tokens);
      scorer(featurizer.idx, featurizer.val, m, out);
      return out;
    },
  };
}
