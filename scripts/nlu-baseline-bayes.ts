/**
 * Baseline for the decision record: natural's BayesClassifier on jieba words (folded text, the same
 * user dictionary), trained on intents/train and scored on intents/heldout with the same scorer as
 * `aftersales eval`. Single-label by nature: it predicts the primary only.
 * Usage: npx tsx scripts/nlu-baseline-bayes.ts
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { examplesToEvalItems, primaryByPrecedence } from '../src/nlu/eval-items.ts';
import { evaluate } from '../src/nlu/evaluate.ts';
import { loadExamples, loadIntents } from '../src/nlu/load-intents.ts';
import { DEFAULT_NLU_PATHS } from '../src/nlu/model-store.ts';
import { foldText } from '../src/nlu/normalize.ts';
import { createTokenizer } from '../src/nlu/tokenize.ts';

interface Bayes {
  addDocument(tokens: string[], label: string): void;
  train(): void;
  classify(tokens: string[]): string;
}

const require = createRequire(import.meta.url);
const natural = require('natural') as { BayesClassifier: new () => Bayes };
const spec = loadIntents(DEFAULT_NLU_PATHS.intentsDir);
const train = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'train'), 'train', spec.labels);
const heldout = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'heldout'), 'heldout', spec.labels);
const tokenizer = createTokenizer(spec.userDict);
const words = (text: string) => tokenizer.cut(foldText(text, spec.t2s)).filter((t) => !/^[\p{P}\p{S}]+$/u.test(t));

const bayes = new natural.BayesClassifier();
const t0 = performance.now();
for (const e of train.examples) bayes.addDocument(words(e.text), primaryByPrecedence(e.labels, spec.labels));
bayes.train();
const trainMs = performance.now() - t0;
const items = examplesToEvalItems(heldout.examples, spec.labels);
const t1 = performance.now();
const preds = items.map((i) => {
  const primary = bayes.classify(words(i.text));
  return { primary, labels: [primary], entities: [] };
});
const perMsgMs = (performance.now() - t1) / items.length;
const r = evaluate(items, preds);
process.stdout.write(
  `${JSON.stringify({ model: 'natural.BayesClassifier (jieba words)', n: r.n, primaryAccuracy: r.primaryAccuracy, microF1: r.microF1, trainMs, perMsgMs })}\n`,
);
