/**
 * Bridges between labelled examples, parses and the scorer: the expected primary of a multi-label
 * example follows the same precedence as parse() (shared/docs/intents.md), first listed on a tie.
 */
import type { Parse } from './contract.ts';
import type { EvalItem, EvalPrediction } from './evaluate.ts';
import type { LabelDef } from './intents-schema.ts';
import type { Example } from './load-intents.ts';

/** The label that decides handling among `labels`: lowest precedence rank, first listed on a tie. */
export function primaryByPrecedence(labels: readonly string[], defs: readonly LabelDef[]): string {
  const rank = (id: string) => defs.find((d) => d.id === id)?.precedence ?? 99;
  let best = labels[0] ?? 'other';
  for (const id of labels) if (rank(id) < rank(best)) best = id;
  return best;
}

/** Turns examples into eval lines (the JSONL format of `aftersales eval`). */
export function examplesToEvalItems(examples: readonly Example[], defs: readonly LabelDef[]): EvalItem[] {
  return examples.map((e) => {
    const item: EvalItem = { text: e.text, primary: primaryByPrecedence(e.labels, defs), labels: [...e.labels] };
    if (e.entities) item.entities = e.entities.map((x) => ({ type: x.type, value: x.value }));
    return item;
  });
}

/** What the scorer needs from a parse. */
export function parseToPrediction(p: Parse): EvalPrediction {
  return {
    primary: p.primary,
    labels: p.intents.map((i) => i.id),
    entities: p.entities.map((e) => ({ type: e.type, value: e.value })),
  };
}
