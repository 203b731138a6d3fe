import { describe, expect, it } from 'vitest';
import { type EvalItem, type EvalPrediction, evaluate } from '../../src/nlu/evaluate.ts';

const items: EvalItem[] = [
  { text: 'a', primary: 'return_refund', labels: ['damaged', 'return_refund'] },
  { text: 'b', primary: 'damaged', labels: ['damaged'], entities: [{ type: 'trackingNo', value: 'SF1234567890123' }] },
  { text: 'c', primary: 'other', labels: ['other'], entities: [{ type: 'amount', value: '29.90元' }] },
  { text: 'd', primary: 'exchange', labels: ['exchange'] },
];
const preds: EvalPrediction[] = [
  { primary: 'return_refund', labels: ['return_refund', 'damaged'], entities: [] },
  {
    primary: 'damaged',
    labels: ['damaged', 'quality_issue'],
    entities: [{ type: 'trackingNo', value: 'sf1234567890123' }],
  },
  {
    primary: 'other',
    labels: ['other'],
    entities: [
      { type: 'amount', value: '29.9' },
      { type: 'phone', value: '13812345678' },
    ],
  },
  { primary: 'return_refund', labels: ['return_refund'], entities: [{ type: 'amount', value: '5' }] },
];

describe('evaluate', () => {
  const r = evaluate(items, preds);

  it('scores primary accuracy and micro-F1 over label sets', () => {
    expect(r.n).toBe(4);
    expect(r.primaryAccuracy).toBe(0.75);
    // gold 5 labels, predicted 6, correct 4 → P 4/6, R 4/5
    expect(r.microPrecision).toBeCloseTo(4 / 6);
    expect(r.microRecall).toBeCloseTo(4 / 5);
    expect(r.microF1).toBeCloseTo((2 * 4) / (6 + 5));
  });

  it('gives per-label precision and recall', () => {
    expect(r.perLabel.damaged).toMatchObject({ support: 2, tp: 2, fp: 0, fn: 0, precision: 1, recall: 1 });
    expect(r.perLabel.return_refund).toMatchObject({ support: 1, tp: 1, fp: 1, precision: 0.5, recall: 1 });
    expect(r.perLabel.exchange).toMatchObject({ support: 1, tp: 0, fn: 1, recall: 0 });
  });

  it('fills the confusion table and lists the errors', () => {
    expect(r.confusion).toEqual({
      return_refund: { return_refund: 1 },
      damaged: { damaged: 1 },
      other: { other: 1 },
      exchange: { return_refund: 1 },
    });
    expect(r.errors).toEqual([{ text: 'd', expected: 'exchange', predicted: 'return_refund' }]);
  });

  it('scores entities by type and normalised value, only on lines that carry them', () => {
    // lines b and c: gold 2, predicted 3 (the phone is a false positive), correct 2; line d is not scored
    expect(r.entityN).toBe(2);
    expect(r.entityPrecision).toBeCloseTo(2 / 3);
    expect(r.entityRecall).toBe(1);
    expect(r.entityF1).toBeCloseTo(0.8);
  });

  it('reports no entity score when no line carries entities', () => {
    expect(evaluate([items[0] as EvalItem], [preds[0] as EvalPrediction]).entityF1).toBeNull();
  });
});
