/**
 * text → Parse (shared/docs/intents.md): classifier scores, rule overrides, `primary` by precedence,
 * entities, urgency with its cues, confidence, and a clarifying question when the parse is unsure.
 *
 * Scores in the parse are calibrated per label: 0.5 is that label's own threshold (from cross-
 * validation), so "every label in `intents` scores ≥ 0.5" holds for all labels alike.
 */
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { chooseClarify } from './clarify.ts';
import type { IntentClassifier } from './classifier.ts';
import type { Parse } from './contract.ts';
import { calibrate, PRESENT, primaryIndex } from './decide.ts';
import { createEntityExtractor } from './entities.ts';
import type { IntentsSpec } from './load-intents.ts';
import { foldText, MAX_PARSE_CHARS } from './normalize.ts';
import { createRuleApplier } from './rules.ts';
import type { Tokenizer } from './tokenize.ts';
import { createManagerCheck, createUrgencyAssessor, type UrgencyFacts } from './urgency.ts';

export interface ParseContext extends UrgencyFacts {
  /** Include the jieba tokens in the parse (for the sandbox page and debugging). */
  includeTokens?: boolean;
}

export interface ParserDeps {
  intents: IntentsSpec;
  model: IntentClassifier;
  tokenizer: Tokenizer;
}

export interface Parser {
  parse(text: string, ctx?: ParseContext): Parse;
}

const FALLBACK_LABEL = 'other';
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters (binary input) is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Builds a parser; compiles patterns once. The returned `parse` is pure and synchronous. */
export function createParser(deps: ParserDeps): Parser {
  const { intents, model, tokenizer } = deps;
  const extract = createEntityExtractor(intents);
  const applyRules = createRuleApplier(intents.rules);
  const assessUrgency = createUrgencyAssessor(intents.cues);
  const mentionsManagerWord = createManagerCheck(intents.cues);
  const rankOf = new Map(intents.labels.map((l) => [l.id, l.precedence]));
  const scoreLabels = (folded: string, tokens: readonly string[]) => {
    const raw = model.score(folded, tokens);
    return new Map(model.labels.map((id, k) => [id, calibrate(raw[k] ?? 0, model.thresholds[k] ?? 0.5)]));
  };
  return {
    parse(text, ctx = {}) {
      if (typeof text !== 'string') throw new CodedError(ErrorCode.BadRequest, '消息内容必须是文字');
      const clipped = text.slice(0, MAX_PARSE_CHARS);
      const folded = foldText(clipped.replace(CONTROL, ' '), intents.t2s);
      const tokens = folded.trim() === '' ? [] : tokenizer.cut(folded);
      const scores = folded.trim() === '' ? new Map<string, number>() : scoreLabels(folded, tokens);
      const notes = applyRules(folded, scores);
      if (clipped.length < text.length) notes.push(`truncated:${MAX_PARSE_CHARS}`);
      const ranked = [...scores.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
      const selected = ranked.filter((s) => s.score >= PRESENT);
      const at = primaryIndex(
        ranked.map((s) => s.score),
        ranked.map((s) => rankOf.get(s.id) ?? 99),
      );
      const primary = ranked[at] ?? { id: FALLBACK_LABEL, score: 0 };
      const clarify = chooseClarify(ranked, primary, intents.clarify, rankOf);
      const parse: Parse = {
        text,
        intents: (selected.length > 0 ? selected : [primary]).map((s) => ({ id: s.id, score: round3(s.score) })),
        primary: primary.id,
        entities: extract(folded),
        urgency: assessUrgency(folded, ctx),
        confidence: round3(primary.score),
        notes,
        escalateToManager: mentionsManagerWord(folded),
      };
      if (clarify) parse.clarify = clarify;
      if (ctx.includeTokens) parse.tokens = tokens;
      return parse;
    },
  };
}
