/**
 * Conversation memory for one user (pure; the caller stores the JSON): answers to a pending
 * clarifying question, and follow-ups ("单号是 SF…", "还是没到") that belong to the previous parse.
 *
 * Entities inherited from an earlier message keep their type/value/source but get start = end = -1,
 * because their offsets point into that earlier text, not into this one.
 */
import { resolveClarifyAnswer } from './clarify.ts';
import type { Entity, IntentScore, Parse, Urgency } from './contract.ts';
import type { IntentsSpec } from './load-intents.ts';
import { fixTypos, foldText } from './normalize.ts';

interface Remembered {
  atMs: number;
  text: string;
  primary: string;
  intents: IntentScore[];
  entities: Entity[];
  urgency: Parse['urgency'];
}

/** JSON-serialisable per-user memory. */
export interface ConversationMemory {
  version: 1;
  /** The last parse that was acted on (no open question). */
  last?: Remembered;
  /** An unanswered clarifying question and the message that raised it. */
  pending?: Remembered & { question: string; options: string[] };
  /** Orders the last reply listed (numbered from 1): the next message may pick one ("第二个"). */
  offered?: { atMs: number; orderNos: string[] };
  /** When the user last sent a photo, voice note, video or file (kept for the session window). */
  mediaAtMs?: number;
  /**
   * A problem the user reported with an order they could not prove (a wrong phone suffix), and when: proving
   * that order next opens the problem's ticket, without their having to say it again.
   */
  unproved?: { atMs: number; text: string };
}

/** The memory after the user sent a photo (or other media) at `nowMs`. */
export function withMedia(memory: ConversationMemory | undefined, nowMs: number): ConversationMemory {
  return { ...(memory ?? { version: 1 }), mediaAtMs: nowMs };
}

export type ContextResolver = (
  parse: Parse,
  memory: ConversationMemory | undefined,
  nowMs: number,
) => { parse: Parse; memory: ConversationMemory };

const ANSWER_SCORE = 0.9;
/** Messages up to this many characters (after removing entities and filler words) count as "entity only". */
const RESIDUE_MAX = 2;
/** Unclear messages this short within a session are taken as a nudge about the previous matter. */
const SHORT_UNCLEAR = 8;
const RANK: Readonly<Record<Urgency, number>> = { normal: 0, high: 1, critical: 2 };

function remember(p: Parse, atMs: number): Remembered {
  return { atMs, text: p.text, primary: p.primary, intents: p.intents, entities: p.entities, urgency: p.urgency };
}

function mergeEntities(old: readonly Entity[], fresh: readonly Entity[]): Entity[] {
  const seen = new Set(fresh.map((e) => `${e.type}\u0000${e.value}`));
  const inherited = old
    .filter((e) => !seen.has(`${e.type}\u0000${e.value}`))
    .map((e) => ({ ...e, start: -1, end: -1 }));
  return [...inherited, ...fresh];
}

const ORDER_REFS = new Set(['orderNo', 'trackingNo']);
/** Entities that say which order, the phone too: a message of little else continues the conversation's request. */
const REFERENCES = new Set([...ORDER_REFS, 'phone']);
const FOLLOW_UP_NOTE = 'context:followup:';

/** Whether the resolver attached this message to the previous one (it only continued it). */
export function continuesPrevious(p: Parse): boolean {
  return p.notes.some((n) => n.startsWith(FOLLOW_UP_NOTE));
}

function newest(a: Remembered | undefined, b: Remembered | undefined): Remembered | undefined {
  if (!a || !b) return a ?? b;
  return a.atMs >= b.atMs ? a : b;
}

/**
 * The order the conversation is about: a message that names none ("都三天了", "能不能快点") is about the
 * order named in the session's previous message, not the customer's newest order.
 */
function withOrderInContext(p: Parse, previous: Remembered | undefined): Parse {
  if (!previous || p.entities.some((e) => ORDER_REFS.has(e.type))) return p;
  const carried = previous.entities.filter((e) => ORDER_REFS.has(e.type)).map((e) => ({ ...e, start: -1, end: -1 }));
  const first = carried[0];
  if (!first) return p;
  return { ...p, entities: [...carried, ...p.entities], notes: [...p.notes, `context:order:${first.value}`] };
}

/**
 * The memory after a reply about `orderNos` (in the order shown): one order becomes the conversation's order
 * (carried like one the customer named, so "催一下" next is about it); several are offered for a pick.
 */
export function rememberOrders(
  memory: ConversationMemory,
  orderNos: readonly string[],
  nowMs: number,
): ConversationMemory {
  const [only, ...more] = orderNos;
  if (!only) return memory;
  if (more.length > 0) return { ...memory, offered: { atMs: nowMs, orderNos: [...orderNos] } };
  if (!memory.last) return memory;
  const others = memory.last.entities.filter((e) => !ORDER_REFS.has(e.type));
  const carried: Entity = { type: 'orderNo', value: only, start: -1, end: -1 };
  return { ...memory, last: { ...memory.last, entities: [carried, ...others] } };
}

const OFFERED_PICK_NOTE = 'context:offered-pick:';
/** Words around an ordinal that picks from a list ("要第二个订单吧"), besides the follow-up fillers. */
const LIST_WORDS = ['订单', '那个', '那单', '这单', '就', '要', '选', '查', '看'];

function mergeUrgency(a: Parse['urgency'], b: Parse['urgency']): Parse['urgency'] {
  const level = RANK[a.level] >= RANK[b.level] ? a.level : b.level;
  return { level, cues: [...new Set([...a.cues, ...b.cues])] };
}

function mergeIntents(base: readonly IntentScore[], extra: readonly IntentScore[]): IntentScore[] {
  const best = new Map<string, number>();
  for (const s of [...base, ...extra]) best.set(s.id, Math.max(best.get(s.id) ?? 0, s.score));
  return [...best.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/** Builds the resolver for one intents spec (answer words, ordinals, follow-up markers and window). */
export function createContextResolver(
  spec: Pick<IntentsSpec, 'clarify' | 'labels' | 't2s' | 'typos'>,
): ContextResolver {
  const cfg = spec.clarify.followup;
  const windowMs = cfg.windowMinutes * 60_000;
  const rankOf = new Map(spec.labels.map((l) => [l.id, l.precedence]));
  const fillers = [...cfg.fillers].sort((a, b) => b.length - a.length);

  const residue = (p: Parse, folded: string): string => {
    let rest = folded;
    for (const e of [...p.entities].sort((a, b) => b.start - a.start)) {
      rest = rest.slice(0, e.start) + rest.slice(e.end);
    }
    for (const f of fillers) rest = rest.split(f.toLowerCase()).join('');
    return rest.replace(/[\s\p{P}\p{S}]+/gu, '');
  };

  const isFollowUp = (p: Parse, folded: string, last: Remembered): boolean => {
    const bare = folded.replace(/^[\s\p{P}\p{S}]+/u, '');
    // Little but entities ("单号是 SF…", "订单号 SO…") continues the request — unless, naming no order, the
    // message says another thing with confidence: "杯子碎了" (杯子 + 碎) after "裙子颜色不对" is a new problem.
    const ownThing =
      p.clarify === undefined &&
      p.primary !== 'other' &&
      p.primary !== last.primary &&
      !p.entities.some((e) => REFERENCES.has(e.type));
    if (!ownThing && p.entities.length > 0 && [...residue(p, folded)].length <= RESIDUE_MAX) return true;
    // "另外上次买的锅内胆有划痕" after a 催发货: the marker leads into a matter of its own, which the
    // message names well enough to ask about (破损 or 质量?) — not the previous request.
    const ownMatter = p.clarify !== undefined && p.primary !== 'other' && !p.clarify.options.includes(last.primary);
    // "还有我要开发票" after an address change: an adding marker ("also") before a matter the message states
    // with confidence is that matter, like one said on its own; "还是没到" (a marker of persistence) is not.
    const adds = cfg.adding.some((m) => bare.startsWith(m.toLowerCase()));
    const statesOwn = p.clarify === undefined && p.primary !== 'other' && p.primary !== last.primary;
    if (adds && statesOwn) return false;
    if (!ownMatter && cfg.markers.some((m) => bare.startsWith(m.toLowerCase()))) return true;
    return p.clarify !== undefined && [...bare].length <= SHORT_UNCLEAR;
  };

  const attach = (p: Parse, last: Remembered): Parse => {
    const own = p.clarify ? [] : p.intents;
    const ownWins = own.length > 0 && (rankOf.get(p.primary) ?? 99) < (rankOf.get(last.primary) ?? 99);
    const primary = ownWins ? p.primary : last.primary;
    const intents = mergeIntents(last.intents, own);
    const { clarify: _dropped, ...rest } = p;
    return {
      ...rest,
      primary,
      intents,
      confidence: intents.find((s) => s.id === primary)?.score ?? p.confidence,
      entities: mergeEntities(last.entities, p.entities),
      urgency: mergeUrgency(last.urgency, p.urgency),
      notes: [...p.notes, `${FOLLOW_UP_NOTE}${last.primary}`],
    };
  };

  const answer = (p: Parse, pending: NonNullable<ConversationMemory['pending']>, chosen: string): Parse => {
    const kept = pending.intents.filter((s) => !pending.options.includes(s.id) || s.id === chosen);
    const intents = mergeIntents(kept, [{ id: chosen, score: ANSWER_SCORE }]);
    const { clarify: _dropped, ...rest } = p;
    return {
      ...rest,
      primary: chosen,
      intents,
      confidence: ANSWER_SCORE,
      entities: mergeEntities(pending.entities, p.entities),
      urgency: mergeUrgency(pending.urgency, p.urgency),
      notes: [...p.notes, `context:clarify-answer:${chosen}`],
    };
  };

  const ordinalIndex = (word: string) => spec.clarify.ordinals.findIndex((words) => words.includes(word));
  const pickFillers = [...cfg.fillers, ...LIST_WORDS].sort((a, b) => b.length - a.length);

  /** "第二个", "2", "要第一单吧": an ordinal and nothing else but filler words. */
  const ordinalOf = (text: string): number | undefined => {
    let bare = text.replace(/[\s\p{P}\p{S}]+/gu, '');
    for (const f of pickFillers) {
      if (ordinalIndex(bare) >= 0) break;
      bare = bare.split(f).join('');
    }
    const n = ordinalIndex(bare);
    return n >= 0 ? n : undefined;
  };

  /** "第二个碎了": a 第-ordinal opening the message (not "2个杯子碎了", nor "后面的事我不管了"). */
  const leadingOrdinal = (text: string): number | undefined => {
    const start = text.replace(/^[\s\p{P}\p{S}]+/u, '');
    const n = spec.clarify.ordinals.findIndex((words) => words.some((w) => w.startsWith('第') && start.startsWith(w)));
    return n >= 0 ? n : undefined;
  };

  /**
   * A message after a reply that listed orders: "第二个" picks that order (an order-status question about
   * it); "第二个收到就是碎的" keeps its own meaning and names that order (start ≥ 0, as if typed). Undefined
   * when the message names an order itself or points at none of the list.
   */
  const fromOffered = (p: Parse, folded: string, orderNos: readonly string[]): Parse | undefined => {
    if (p.entities.some((e) => ORDER_REFS.has(e.type))) return undefined;
    // A staff member's "@bot 第二个": the mention is not part of the answer.
    const text = folded.replace(/^\s*[@＠]\S+\s+/u, '');
    const n = ordinalOf(text);
    const picked = n === undefined ? undefined : orderNos[n];
    if (n !== undefined && picked !== undefined) {
      const { clarify: _dropped, ...rest } = p;
      return {
        ...rest,
        primary: 'order_status',
        intents: [{ id: 'order_status', score: ANSWER_SCORE }],
        confidence: ANSWER_SCORE,
        entities: [{ type: 'orderNo', value: picked, start: 0, end: p.text.length }],
        notes: [...p.notes, `${OFFERED_PICK_NOTE}${n + 1}`],
      };
    }
    const lead = leadingOrdinal(text);
    const pointed = lead === undefined ? undefined : orderNos[lead];
    if (lead === undefined || pointed === undefined) return undefined;
    return {
      ...p,
      entities: [{ type: 'orderNo', value: pointed, start: 0, end: 0 }, ...p.entities],
      notes: [...p.notes, `${OFFERED_PICK_NOTE}${lead + 1}`],
    };
  };

  return (parse, memory, nowMs) => {
    const inWindow = (atMs: number | undefined) => atMs !== undefined && nowMs - atMs <= windowMs && nowMs >= atMs;
    const fresh = <R extends { atMs: number }>(r: R | undefined) => (inWindow(r?.atMs) ? r : undefined);
    const pending = fresh(memory?.pending);
    const last = fresh(memory?.last);
    const folded = fixTypos(foldText(parse.text, spec.t2s), spec.typos);
    const offered = fresh(memory?.offered);
    const picked = offered ? fromOffered(parse, folded, offered.orderNos) : undefined;
    let out = parse;
    const chosen = pending ? resolveClarifyAnswer(folded, pending.options, spec.clarify, spec.labels) : undefined;
    if (picked) out = picked;
    else if (pending && chosen) out = answer(parse, pending, chosen);
    else if (last && isFollowUp(parse, folded, last)) out = attach(parse, last);
    else out = withOrderInContext(out, newest(pending, last));
    const next: ConversationMemory = { version: 1 };
    if (inWindow(memory?.mediaAtMs)) next.mediaAtMs = memory?.mediaAtMs;
    if (inWindow(memory?.unproved?.atMs)) next.unproved = memory?.unproved;
    if (out.clarify) {
      next.pending = { ...remember(out, nowMs), question: out.clarify.question, options: out.clarify.options };
      if (last) next.last = last;
    } else next.last = remember(out, nowMs);
    return { parse: out, memory: next };
  };
}
