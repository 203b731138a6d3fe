/**
 * Urgency from intents/cues.yml: the level is the highest one raised by any cue word in the message
 * or by the conversation facts the caller passes (repeated contact, VIP customer). The parse lists
 * the cues, so a person can see why a ticket was marked urgent.
 */
import type { Urgency } from './contract.ts';
import type { CuesFile } from './intents-schema.ts';
import { createTriggerMatcher } from './phrase-index.ts';

const RANK: Readonly<Record<Urgency, number>> = { normal: 0, high: 1, critical: 2 };

export interface UrgencyFacts {
  /** How many times this customer already contacted us about the same matter. */
  repeatContacts?: number;
  vip?: boolean;
}

export type UrgencyAssessor = (folded: string, facts?: UrgencyFacts) => { level: Urgency; cues: string[] };

/**
 * Lists `cue` in `found` (once) and returns the higher of `level` and `to`. A module function, not a
 * closure made per message: under tsx (the bench, the dev server) every named closure also costs
 * a `__name` call that sets its name, ~1 % of parse().
 */
function raise(found: string[], level: Urgency, to: Urgency, cue: string): Urgency {
  if (!found.includes(cue)) found.push(cue);
  return RANK[to] > RANK[level] ? to : level;
}

/** Compiles the cue list once; the assessor lists each cue once, in cues.yml order. */
export function createUrgencyAssessor(cues: CuesFile): UrgencyAssessor {
  const match = createTriggerMatcher(cues.urgency.map((c) => ({ words: [c.cue], unless: c.unless, value: c })));
  return (folded, facts = {}) => {
    let level: Urgency = 'normal';
    const found: string[] = [];
    const fired = match(folded);
    // 疹子 inside 起疹子 is one cue, not two: keep the longest of nested cue words.
    for (const c of fired) {
      if (!fired.some((o) => o !== c && o.cue.includes(c.cue))) level = raise(found, level, c.level, c.cue);
    }
    const repeat = cues.context.repeatContact;
    if ((facts.repeatContacts ?? 0) >= repeat.minContacts) level = raise(found, level, repeat.level, repeat.cue);
    if (facts.vip) level = raise(found, level, cues.context.vip.level, cues.context.vip.cue);
    return { level, cues: found };
  };
}

/** Whether a message names a straight-to-manager word (12315, 投诉, 曝光, 律师, 媒体 …). */
export function createManagerCheck(cues: CuesFile): (folded: string) => boolean {
  const match = createTriggerMatcher([{ words: cues.manager, value: true }]);
  return (folded) => match(folded).length > 0;
}
