/**
 * Shared set-up of the NLU tests: the real intents/ vocabulary, the mini example set of
 * tests/fixtures/intents-mini (stable whatever the real data does), and a classifier with fixed
 * scores for tests of the decision logic (precedence, clarify) that must not depend on training.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IntentClassifier, loadIntentClassifier, trainIntentModel } from '../../src/nlu/classifier.ts';
import { type IntentsSpec, loadExamples, loadIntents } from '../../src/nlu/load-intents.ts';
import { createParser, type Parser } from '../../src/nlu/parse.ts';
import { createTokenizer, type Tokenizer } from '../../src/nlu/tokenize.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const INTENTS_DIR = join(REPO, 'intents');
export const MINI_DIR = join(REPO, 'tests', 'fixtures', 'intents-mini');

let spec: IntentsSpec | undefined;
let tokenizer: Tokenizer | undefined;

export function realSpec(): IntentsSpec {
  spec ??= loadIntents(INTENTS_DIR);
  return spec;
}

export function rsTokenizer(): Tokenizer {
  tokenizer ??= createTokenizer(realSpec().userDict, 'node-rs');
  return tokenizer;
}

export function miniTrainSet() {
  return loadExamples(join(MINI_DIR, 'train'), 'train', realSpec().labels);
}

/** A model trained on the mini fixture (small options: the fixture has ~150 sentences). */
export function trainMini() {
  const s = realSpec();
  return trainIntentModel(miniTrainSet(), { labels: s.labels, t2s: s.t2s, tokenizer: rsTokenizer(), dataHash: 'mini' });
}

let miniParser: Parser | undefined;

export function miniTrainedParser(): Parser {
  miniParser ??= createParser({
    intents: realSpec(),
    model: loadIntentClassifier(trainMini()),
    tokenizer: rsTokenizer(),
  });
  return miniParser;
}

/**
 * A classifier whose scores are given per message: `table[text] = { label: score }`, every other
 * label 0. Thresholds are all 0.5, so the parse's calibrated scores equal these numbers.
 */
export function fixedClassifier(table: Record<string, Record<string, number>>): IntentClassifier {
  const labels = realSpec().labels.map((l) => l.id);
  return {
    labels,
    thresholds: labels.map(() => 0.5),
    score: (folded) => Float64Array.from(labels.map((id) => table[folded]?.[id] ?? 0)),
  };
}

export function fixedParser(table: Record<string, Record<string, number>>): Parser {
  return createParser({ intents: realSpec(), model: fixedClassifier(table), tokenizer: rsTokenizer() });
}
