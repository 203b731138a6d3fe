/**
 * Rasa-validator-style checks of the training data (style.md §6.11): every declared label has
 * examples, no undeclared label is used, no text sits under two different single labels, no held-out
 * text is in training, and each label has enough training examples. "Every file has `version`" is
 * enforced by the loader's schema, so a set that loaded already passes it.
 */
import type { LabelDef } from './intents-schema.ts';
import type { Example, ExampleSet } from './load-intents.ts';
import { compareKey } from './normalize.ts';

export type DataProblemKind = 'empty_label' | 'undeclared_label' | 'conflicting_text' | 'heldout_in_train' | 'too_few';

export interface DataProblem {
  kind: DataProblemKind;
  message: string;
}

/** Minimum training examples per label (issue 3: "at least 60 varied examples per label"). */
export const MIN_EXAMPLES_PER_LABEL = 60;

function countByLabel(examples: readonly Example[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const e of examples) for (const l of e.labels) n.set(l, (n.get(l) ?? 0) + 1);
  return n;
}

function labelProblems(
  labels: readonly LabelDef[],
  train: ExampleSet,
  heldout: ExampleSet,
  min: number,
): DataProblem[] {
  const out: DataProblem[] = [];
  const declared = new Set(labels.map((l) => l.id));
  const counts = countByLabel(train.examples);
  for (const l of labels) {
    const n = counts.get(l.id) ?? 0;
    if (n === 0) out.push({ kind: 'empty_label', message: `标签 ${l.id} 没有训练样例` });
    else if (n < min) out.push({ kind: 'too_few', message: `标签 ${l.id} 只有 ${n} 条训练样例（至少 ${min} 条）` });
  }
  for (const e of [...train.examples, ...heldout.examples]) {
    for (const l of e.labels) {
      if (!declared.has(l)) out.push({ kind: 'undeclared_label', message: `${e.where}: 未声明的标签 ${l}` });
    }
  }
  return out;
}

function textProblems(train: ExampleSet, heldout: ExampleSet, t2s: ReadonlyMap<string, string>): DataProblem[] {
  const out: DataProblem[] = [];
  const single = new Map<string, Example>();
  for (const e of train.examples) {
    if (e.labels.length !== 1) continue;
    const key = compareKey(e.text, t2s);
    const seen = single.get(key);
    if (seen && seen.labels[0] !== e.labels[0]) {
      out.push({
        kind: 'conflicting_text',
        message: `「${e.text}」同时标成 ${seen.labels[0]}（${seen.where}）和 ${e.labels[0]}（${e.where}）`,
      });
    } else single.set(key, e);
  }
  const trained = new Map(train.examples.map((e) => [compareKey(e.text, t2s), e]));
  for (const h of heldout.examples) {
    const t = trained.get(compareKey(h.text, t2s));
    if (t)
      out.push({ kind: 'heldout_in_train', message: `留出集样例「${h.text}」（${h.where}）也在训练集（${t.where}）` });
  }
  return out;
}

/** Every data problem found; an empty list means the data passes. */
export function checkIntentsData(
  labels: readonly LabelDef[],
  train: ExampleSet,
  heldout: ExampleSet,
  t2s: ReadonlyMap<string, string>,
  min = MIN_EXAMPLES_PER_LABEL,
): DataProblem[] {
  return [...labelProblems(labels, train, heldout, min), ...textProblems(train, heldout, t2s)];
}
