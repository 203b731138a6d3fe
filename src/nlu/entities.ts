/**
 * Entity extraction from intents/entities.yml (regex patterns) and intents/lookups/*.txt (word lists).
 *
 * Every pattern and lookup proposes candidates; candidates are ranked by priority plus a context
 * bonus/penalty (words near the match: 订单 vs 快递 decides whether 12 digits are a JD order or a
 * 中通 tracking number) and taken greedily, so one character span yields at most one entity.
 */
import { parseChineseNumber } from './cn-number.ts';
import type { Entity, EntityType } from './contract.ts';
import type { EntityPattern } from './intents-schema.ts';
import type { IntentsSpec } from './load-intents.ts';
import { createPhraseFinder, type PhraseFinder } from './phrase-index.ts';

const CONTEXT_POINTS = 15;
const LOOKUP_PRIORITY = 10;

interface Candidate {
  entity: Entity;
  score: number;
}

interface CompiledPattern {
  def: EntityPattern;
  regex: RegExp;
  /** Every alternative needs an ASCII digit: skipped for the (many) messages without one. */
  needsDigit: boolean;
}

interface CompiledAlias {
  alias: string;
  type: EntityType;
  value: string;
  source?: string;
  ascii: boolean;
  notFollowedBy: readonly string[];
}

/** Top-level alternatives of a regex source (a `|` outside groups and classes). */
function alternatives(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      out.push(source.slice(from, i));
      from = i + 1;
    }
  }
  out.push(source.slice(from));
  return out;
}

/**
 * Heuristic: every alternative contains a `\d` not directly followed by `*`, `?` or `{0`. True for
 * each digit pattern of entities.yml (tests/nlu/entities.test.ts covers them); a `\d` inside an
 * optional group would fool it.
 */
function requiresDigit(source: string): boolean {
  return alternatives(source).every((alt) => /\\d(?![*?]|\{0)/.test(alt));
}

function compile(def: EntityPattern): CompiledPattern {
  const before = def.bound === 'none' ? '' : '(?<![a-z0-9])';
  const after = def.bound === 'both' ? '(?![a-z0-9])' : '';
  return { def, regex: new RegExp(`${before}(?:${def.regex})${after}`, 'giu'), needsDigit: requiresDigit(def.regex) };
}

function normalizeValue(def: EntityPattern, raw: string): string | undefined {
  switch (def.normalize) {
    case 'upper':
      return raw.toUpperCase().replace(/\s+/g, '');
    case 'digits':
      return raw.replace(/\D+/g, '');
    case 'amount': {
      const n = Number.parseFloat(raw.replace(/[^\d.]/g, ''));
      return Number.isFinite(n) ? String(n) : undefined;
    }
    case 'cn_amount': {
      const n = parseChineseNumber(raw.replace(/块钱|块|元/g, ''));
      return n === undefined ? undefined : String(n);
    }
    default:
      return raw;
  }
}

function contextScore(def: EntityPattern, text: string, start: number, end: number, window: number): number {
  if (!def.context) return 0;
  const near = text.slice(Math.max(0, start - window), start) + text.slice(end, end + window);
  let score = 0;
  if (def.context.bonus?.some((w) => near.includes(w.toLowerCase()))) score += CONTEXT_POINTS;
  if (def.context.penalty?.some((w) => near.includes(w.toLowerCase()))) score -= CONTEXT_POINTS;
  return score;
}

function patternCandidates(patterns: CompiledPattern[], text: string, window: number, out: Candidate[]): void {
  const hasDigit = /[0-9]/.test(text);
  for (const { def, regex, needsDigit } of patterns) {
    if (needsDigit && !hasDigit) continue;
    // exec on the compiled global regex (matchAll would clone it for every message).
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0] === '') {
        regex.lastIndex += (text.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1;
        continue;
      }
      const start = m.index;
      const end = start + m[0].length;
      const value = normalizeValue(def, m[0]);
      if (value === undefined || value === '') continue;
      const entity: Entity = { type: def.type, value, start, end };
      if (def.source) entity.source = def.source;
      out.push({ entity, score: def.priority + contextScore(def, text, start, end, window) });
    }
  }
}

const isAsciiWord = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch);

function lookupCandidates(
  find: PhraseFinder,
  byAlias: Map<string, CompiledAlias[]>,
  text: string,
  out: Candidate[],
): void {
  for (const { phrase, start: at, end } of find(text)) {
    for (const a of byAlias.get(phrase) ?? []) {
      if (a.ascii && (isAsciiWord(text[at - 1]) || isAsciiWord(text[end]))) continue;
      if (a.notFollowedBy.some((w) => text.startsWith(w, end))) continue;
      const entity: Entity = { type: a.type, value: a.value, start: at, end };
      if (a.source) entity.source = a.source;
      // Longer aliases win over shorter ones at the same place (菜鸟驿站 over 菜鸟).
      out.push({ entity, score: LOOKUP_PRIORITY + a.alias.length / 100 });
    }
  }
}

function takeGreedy(candidates: Candidate[]): Entity[] {
  candidates.sort(
    (a, b) =>
      b.score - a.score ||
      a.entity.start - b.entity.start ||
      b.entity.end - b.entity.start - (a.entity.end - a.entity.start),
  );
  const taken: Entity[] = [];
  for (const { entity } of candidates) {
    if (taken.some((t) => entity.start < t.end && t.start < entity.end)) continue;
    taken.push(entity);
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** Extracts entities from already folded text (normalize.ts); offsets are valid in the original message. */
export type EntityExtractor = (folded: string) => Entity[];

/** Compiles the patterns and lookups of `spec` once; the returned function is pure and fast. */
export function createEntityExtractor(spec: Pick<IntentsSpec, 'entities' | 'lookups'>): EntityExtractor {
  const patterns = spec.entities.patterns.map(compile);
  const aliases: CompiledAlias[] = spec.lookups.flatMap((list) =>
    list.entries.flatMap((e) =>
      e.aliases.map((alias) => {
        const folded = alias.toLowerCase();
        const base = {
          alias: folded,
          type: list.type,
          value: e.value,
          ascii: /^[a-z0-9]+$/.test(folded),
          notFollowedBy: list.notFollowedBy ?? [],
        };
        return e.source ? { ...base, source: e.source } : base;
      }),
    ),
  );
  const byAlias = new Map<string, CompiledAlias[]>();
  for (const a of aliases) byAlias.set(a.alias, [...(byAlias.get(a.alias) ?? []), a]);
  const find = createPhraseFinder(byAlias.keys());
  const window = spec.entities.contextWindow;
  return (folded) => {
    // One array for both kinds of candidate (not two spread into a third).
    const candidates: Candidate[] = [];
    patternCandidates(patterns, folded, window, candidates);
    lookupCandidates(find, byAlias, folded, candidates);
    return takeGreedy(candidates);
  };
}
