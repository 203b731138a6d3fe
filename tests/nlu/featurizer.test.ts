import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions, featureKeys } from '../../src/nlu/features.ts';
import { compileFeaturizer } from '../../src/nlu/featurizer.ts';
import { loadExamples } from '../../src/nlu/load-intents.ts';
import { foldText } from '../../src/nlu/normalize.ts';
import { buildVocabulary, vectorize } from '../../src/nlu/vectorizer.ts';
import { INTENTS_DIR, realSpec, rsTokenizer } from '../support/nlu.ts';

const ODD = [
  '',
  '   ',
  '😡😡😡',
  '到底发不发货😤？？？',
  '１２３４５６ 全角数字 ＳＦ１２３',
  '單號 SF1234567890123 還是沒到！！',
  'a1b22c333d',
  '𐄀分隔𐄀符号',
  '孤立\ud800代理\udc00对',
  'abc, def; 123—456…',
  '退',
  'nul\u0000in\u0000text',
  '@bot 查一下 SO2026111800001',
];

describe('parse-time featurizer', () => {
  const spec = realSpec();
  const tok = rsTokenizer();
  const texts = [
    ...loadExamples(`${INTENTS_DIR}/train`, 'train', spec.labels).examples,
    ...loadExamples(`${INTENTS_DIR}/heldout`, 'heldout', spec.labels).examples,
  ].map((e) => foldText(e.text, spec.t2s));

  const check = (o: FeatureOptions) => {
    const docs = texts.map((t) => featureKeys(t, tok.cut(t), o));
    const vocab = buildVocabulary(docs, 1);
    const fast = compileFeaturizer(vocab, o);
    let compared = 0;
    for (const text of [...texts, ...ODD.map((t) => foldText(t, spec.t2s))]) {
      const tokens = text.trim() === '' ? [] : tok.cut(text);
      const slow = vectorize(featureKeys(text, tokens, o), vocab);
      const quick = fast(text, tokens);
      expect([...quick.idx], text).toEqual([...slow.idx]);
      expect([...quick.val], text).toEqual([...slow.val]);
      compared++;
    }
    return compared;
  };

  it('gives the same TF-IDF vector as the training path on every example text and odd input', () => {
    expect(check(DEFAULT_FEATURE_OPTIONS)).toBeGreaterThan(2500);
  });

  it('also for other n-gram ranges (2–3 grams, no bigrams; and 4-grams through the string path)', () => {
    check({ charMin: 2, charMax: 3, wordBigrams: false });
    check({ charMin: 1, charMax: 4, wordBigrams: true });
  });
});
