/**
 * Train-or-load of the intent model artefact (data/model/intents-model.json). The artefact carries a
 * hash of everything training depends on (examples, user dictionary, folding table, options,
 * tokenizer), so a model built from older data is retrained instead of silently used.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  type IntentClassifier,
  type IntentModelJson,
  loadIntentClassifier,
  MODEL_FORMAT,
  trainIntentModel,
} from './classifier.ts';
import { exampleFileTexts, type IntentsSpec, loadExamples, loadIntents } from './load-intents.ts';
import { createParser, type Parser } from './parse.ts';
import { createTokenizer, DEFAULT_TOKENIZER, type Tokenizer, type TokenizerKind } from './tokenize.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the intents folder and the model artefact live by default (repo-relative). */
export const DEFAULT_NLU_PATHS = {
  intentsDir: join(REPO_ROOT, 'intents'),
  modelPath: join(REPO_ROOT, 'data', 'model', 'intents-model.json'),
};

export interface NluOptions {
  intentsDir?: string;
  /** Training examples; defaults to `<intentsDir>/train`. */
  trainDir?: string;
  modelPath?: string;
  tokenizer?: TokenizerKind;
  classifier?: ClassifierOptions;
}

export interface LoadedNlu {
  spec: IntentsSpec;
  tokenizer: Tokenizer;
  classifier: IntentClassifier;
  parser: Parser;
  model: IntentModelJson;
  /** `loaded`: the artefact matched the data; `trained`: it was missing or stale and was rebuilt. */
  source: 'loaded' | 'trained';
  timings: { loadMs: number; trainMs: number; totalMs: number };
}

/**
 * Hash of every input of training; equal hashes mean an equal model. The training examples enter as
 * the raw text of their files (any edit, even a comment, retrains), so that a start-up whose model is
 * current does not parse 2,500 examples only to hash them (~0.2 s of the cold start).
 */
export function dataHashOf(
  spec: IntentsSpec,
  trainFiles: ReadonlyArray<{ name: string; text: string }>,
  kind: TokenizerKind,
  o: ClassifierOptions,
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: MODEL_FORMAT, kind, o, labels: spec.labels.map((l) => l.id) }));
  h.update(spec.userDict.content);
  h.update(JSON.stringify([...spec.t2s.entries()]));
  for (const f of trainFiles) h.update(`${JSON.stringify([f.name, f.text.length])}\n${f.text}`);
  return h.digest('hex').slice(0, 32);
}

/** Writes the artefact atomically (tmp file + rename), so a crash never leaves half a model. */
export function writeModel(path: string, model: IntentModelJson): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(model)}\n`);
  renameSync(tmp, path);
}

function readModel(path: string, hash: string): IntentModelJson | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as IntentModelJson;
    return json.format === MODEL_FORMAT && json.dataHash === hash ? json : undefined;
  } catch {
    return undefined; // unreadable artefact: retrain rather than fail start-up
  }
}

/** The default tokenizer's model is `intents-model.json`; another tokenizer gets its own file, so switching does not retrain the default. */
function defaultModelPath(kind: TokenizerKind): string {
  const path = DEFAULT_NLU_PATHS.modelPath;
  return kind === DEFAULT_TOKENIZER ? path : path.replace(/\.json$/, `.${kind}.json`);
}

function resolveOptions(opts: NluOptions) {
  const intentsDir = opts.intentsDir ?? DEFAULT_NLU_PATHS.intentsDir;
  const kind = opts.tokenizer ?? DEFAULT_TOKENIZER;
  return {
    intentsDir,
    trainDir: opts.trainDir ?? join(intentsDir, 'train'),
    modelPath: opts.modelPath ?? defaultModelPath(kind),
    kind,
    classifier: opts.classifier ?? DEFAULT_CLASSIFIER_OPTIONS,
  };
}

/**
 * Loads the intents, then the model artefact if it matches the data, else trains and writes it.
 * `force` always retrains (the `train` command).
 */
export function loadOrTrainNlu(opts: NluOptions = {}, force = false): LoadedNlu {
  const t0 = performance.now();
  const o = resolveOptions(opts);
  const spec = loadIntents(o.intentsDir);
  const tokenizer = createTokenizer(spec.userDict, o.kind);
  const hash = dataHashOf(spec, exampleFileTexts(o.trainDir), o.kind, o.classifier);
  const t1 = performance.now();
  let model = force ? undefined : readModel(o.modelPath, hash);
  const source = model ? 'loaded' : 'trained';
  if (!model) {
    model = trainIntentModel(loadExamples(o.trainDir, 'train', spec.labels), {
      labels: spec.labels,
      t2s: spec.t2s,
      tokenizer,
      dataHash: hash,
      options: o.classifier,
    });
    writeModel(o.modelPath, model);
  }
  const t2 = performance.now();
  const classifier = loadIntentClassifier(model);
  const parser = createParser({ intents: spec, model: classifier, tokenizer });
  const t3 = performance.now();
  const trainMs = source === 'trained' ? t2 - t1 : 0;
  return {
    spec,
    tokenizer,
    classifier,
    parser,
    model,
    source,
    timings: { loadMs: t3 - t0 - trainMs, trainMs, totalMs: t3 - t0 },
  };
}
