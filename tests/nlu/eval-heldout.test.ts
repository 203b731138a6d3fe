/**
 * Trains on intents/train and scores intents/heldout (never trained on): the build fails when
 * primary accuracy drops below the agreed floor (style.md §6.11).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIntentClassifier, trainIntentModel } from '../../src/nlu/classifier.ts';
import { examplesToEvalItems, parseToPrediction } from '../../src/nlu/eval-items.ts';
import { evaluate, HELDOUT_FLOOR } from '../../src/nlu/evaluate.ts';
import { loadExamples } from '../../src/nlu/load-intents.ts';
import { createParser } from '../../src/nlu/parse.ts';
import { INTENTS_DIR, realSpec, rsTokenizer } from '../support/nlu.ts';

describe('held-out evaluation', () => {
  it(`primary accuracy stays at or above ${HELDOUT_FLOOR.primaryAccuracy}`, { timeout: 120_000 }, () => {
    const spec = realSpec();
    const train = loadExamples(join(INTENTS_DIR, 'train'), 'train', spec.labels);
    const heldout = loadExamples(join(INTENTS_DIR, 'heldout'), 'heldout', spec.labels);
    const model = trainIntentModel(train, {
      labels: spec.labels,
      t2s: spec.t2s,
      tokenizer: rsTokenizer(),
      dataHash: 'eval-test',
    });
    const parser = createParser({ intents: spec, model: loadIntentClassifier(model), tokenizer: rsTokenizer() });
    const items = examplesToEvalItems(heldout.examples, spec.labels);
    const report = evaluate(
      items,
      items.map((i) => parseToPrediction(parser.parse(i.text))),
    );
    expect(report.n).toBeGreaterThan(100);
    expect(report.primaryAccuracy).toBeGreaterThanOrEqual(HELDOUT_FLOOR.primaryAccuracy);
    expect(report.entityF1 ?? 0).toBeGreaterThanOrEqual(0.9);
  });
});
