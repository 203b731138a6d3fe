import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { trainIntentModel } from '../../src/nlu/classifier.ts';
import { loadExamples } from '../../src/nlu/load-intents.ts';
import { MINI_DIR, miniTrainedParser, realSpec, rsTokenizer, trainMini } from '../support/nlu.ts';

describe('intent classifier', () => {
  it('trains deterministically: two runs give byte-identical JSON', () => {
    expect(JSON.stringify(trainMini())).toBe(JSON.stringify(trainMini()));
  });

  it('stores one calibrated threshold per label, inside the search grid', () => {
    const model = trainMini();
    expect(model.labels).toHaveLength(24);
    expect(model.thresholds).toHaveLength(24);
    for (const t of model.thresholds) {
      expect(t).toBeGreaterThanOrEqual(0.1);
      expect(t).toBeLessThanOrEqual(0.9);
    }
  });

  it('refuses to train on the held-out split', () => {
    const spec = realSpec();
    const heldout = loadExamples(`${MINI_DIR}/heldout`, 'heldout', spec.labels);
    expect(() =>
      trainIntentModel(heldout, { labels: spec.labels, t2s: spec.t2s, tokenizer: rsTokenizer(), dataHash: 'x' }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.IntentsInvalid }));
  });

  it.each([
    ['杯子碎了', 'damaged'],
    ['我要退货退款', 'return_refund'],
    ['快递到哪了', 'logistics_query'],
    ['谢谢', 'other'],
  ])('a model trained on the mini set reads %s as %s', (text, label) => {
    expect(miniTrainedParser().parse(text).primary).toBe(label);
  });
});
