/**
 * Rasa-style checks of the real intents/ data (style.md §6.11). Loading already enforces `version`
 * in every file, declared labels in every example and file names matching their label.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIntentsData, type DataProblemKind, MIN_EXAMPLES_PER_LABEL } from '../../src/nlu/intents-check.ts';
import { loadExamples } from '../../src/nlu/load-intents.ts';
import { INTENTS_DIR, realSpec } from '../support/nlu.ts';

const spec = realSpec();
const train = loadExamples(join(INTENTS_DIR, 'train'), 'train', spec.labels);
const heldout = loadExamples(join(INTENTS_DIR, 'heldout'), 'heldout', spec.labels);
const problems = checkIntentsData(spec.labels, train, heldout, spec.t2s);
const messages = (...kinds: DataProblemKind[]) => problems.filter((p) => kinds.includes(p.kind)).map((p) => p.message);

describe('intents/ data', () => {
  it('every file declares version (checked while loading)', () => {
    expect(train.files.length).toBeGreaterThan(0);
    expect(heldout.files.length).toBeGreaterThan(0);
  });

  it('every declared label has training examples', () => {
    expect(messages('empty_label'), '这些标签还没有训练样例（数据编写中时预期会失败）').toEqual([]);
  });

  it('uses no undeclared label', () => {
    expect(messages('undeclared_label')).toEqual([]);
  });

  it('has no text under two different single labels', () => {
    expect(messages('conflicting_text')).toEqual([]);
  });

  it('has no held-out text in training', () => {
    expect(messages('heldout_in_train')).toEqual([]);
  });

  it(`has at least ${MIN_EXAMPLES_PER_LABEL} training examples per label`, () => {
    expect(
      messages('too_few'),
      `每个标签至少需要 ${MIN_EXAMPLES_PER_LABEL} 条训练样例（数据编写中时预期会失败）`,
    ).toEqual([]);
  });

  it('keeps a held-out split of at least 15 % of the messages', () => {
    const share = heldout.examples.length / (heldout.examples.length + train.examples.length);
    expect(share).toBeGreaterThanOrEqual(0.15);
  });
});
