/**
 * The parse contract (shared/docs/intents.md): what the NLU returns for one message.
 * Label ids are declared in intents/labels.yml; this file only fixes the shape.
 */

export type Urgency = 'normal' | 'high' | 'critical';

export type EntityType =
  | 'orderNo'
  | 'trackingNo'
  | 'phone'
  | 'amount'
  | 'sku'
  | 'product'
  | 'size'
  | 'colour'
  | 'date'
  | 'carrier';

export interface Entity {
  type: EntityType;
  value: string;
  /** For order numbers: tmall | jd | pdd | douyin | own; for tracking numbers: the carrier id. */
  source?: string;
  start: number;
  end: number;
}

export interface IntentScore {
  id: string;
  score: number;
}

export interface Parse {
  text: string;
  /** Every label above its threshold, best first. */
  intents: IntentScore[];
  /** The label that decides handling, by precedence. */
  primary: string;
  entities: Entity[];
  urgency: { level: Urgency; cues: string[] };
  /** Score of the primary label, in [0, 1]. */
  confidence: number;
  /** Set when the best label is too weak to act on: ask this instead of guessing. */
  clarify?: { question: string; options: string[] };
  /** Rule overrides and context merges that changed the model's answer, for explanations. */
  notes: string[];
  /** Messages that went straight to a manager (12315, 投诉, 曝光, 律师, 媒体). */
  escalateToManager: boolean;
  tokens?: string[];
}

/**
 * `parse` read as `intent` alone: the handler knows what the message is (a cue, the order's state) and the
 * classifier's guess or clarifying question no longer applies. `notes` are added to its notes.
 */
export function readAs(parse: Parse, intent: string, notes: readonly string[] = []): Parse {
  const { clarify: _asked, ...rest } = parse;
  return { ...rest, primary: intent, intents: [{ id: intent, score: 1 }], notes: [...parse.notes, ...notes] };
}
