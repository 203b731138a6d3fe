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
import { calibrate, presentByScore, primaryIndex, rankedByScore } from './decide.ts';
import { createEntityExtractor } from './entities.ts';
import type { IntentsSpec } from './load-intents.ts';
import { fixTypos, foldText, MAX_PARSE_CHARS } from './normalize.ts';
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
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const CONTROL_ALL = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Builds a parser; compiles patterns once. The returned `parse` is pure and synchronous. */
export function createParser(deps: ParserDeps): Parser {
  const { intents, model, tokenizer } = deps;
  const extract = createEntityExtractor(intents);
  const assessUrgency = createUrgencyAssessor(intents.cues);
  const mentionsManagerWord = createManagerCheck(intents.cues);
  const rankOf = new Map(intents.labels.map((l) => [l.id, l.precedence]));
  const labels = model.labels;
  const ranks = Int32Array.from(labels, (id) => rankOf.get(id) ?? 99);
  const indexOf = new Map(labels.map((id, k) => [id, k]));
  const applyRules = createRuleApplier(intents.rules, indexOf, intents.requires, intents.negation);
  // Reused from parse to parse (parse is synchronous; the Parse copies what it keeps).
  const scores = new Float64Array(labels.length);
  const live = new Uint8Array(labels.length);
  const thresholds = Float64Array.from(labels, (_, k) => model.thresholds[k] ?? 0.5);
  // Over those buffers, so one closure serves every parse.
  const ranked = (min: number) => rankedByScore(labels, scores, live, min);
  return {
    parse(text, ctx = {}) {
      if (typeof text !== 'string') throw new CodedError(ErrorCode.BadRequest, '消息内容必须是文字');
      const clipped = text.slice(0, MAX_PARSE_CHARS);
      const folded = fixTypos(
        foldText(CONTROL.test(clipped) ? clipped.replace(CONTROL_ALL, ' ') : clipped, intents.t2s),
        intents.typos,
      );
      const blank = folded.trim() === '';
      const tokens = blank ? [] : tokenizer.cut(folded);
      // Calibrated score per label (label order of the model); `live` is 0 for labels a rule removed.
      scores.fill(0);
      live.fill(blank ? 0 : 1);
      if (!blank) {
        const raw = model.score(folded, tokens);
        for (let k = 0; k < labels.length; k++) scores[k] = calibrate(raw[k] ?? 0, thresholds[k] ?? 0.5);
      }
      const notes = applyRules(folded, scores, live);
      if (clipped.length < text.length) notes.push(`truncated:${MAX_PARSE_CHARS}`);
      const at = primaryIndex(scores, ranks, live);
      // One object literal for both cases, so the parse sees one shape (a second one cost a deopt).
      const primary = {
        id: at >= 0 ? (labels[at] ?? FALLBACK_LABEL) : FALLBACK_LABEL,
        score: at >= 0 ? (scores[at] ?? 0) : 0,
      };
      const selected = presentByScore(labels, scores, live);
      // The primary is pushed always and dropped again when a label is present: a push reached only
      // by messages without one ("。。。") had no type feedback when parse() was optimised, so the
      // first such message deoptimised it (and a ~22 ms recompile followed). Not `[primary]` either:
      // an array literal here cost a deopt too.
      selected.push(primary);
      if (selected.length > 1) selected.pop();
      const clarify = chooseClarify(ranked, primary, intents.clarify, rankOf);
      const parse: Parse = {
        text,
        intents: selected.map((s) => ({ id: s.id, score: round3(s.score) })),
        primary: primary.id,
        entities: extract(folded),
        urgency: assessUrgency(folded, ctx),
        confidence: round3(primary.score),
        notes,
        escalateToManager: mentionsManagerWord(folded),
        // Always a field (undefined, so absent from JSON, when there is no question), not a later
        // `if (clarify) parse.clarify = clarify`: the first ~1,500 texts of the bench need no
        // question, so that store had no type feedback when parse() was optimised and the first
        // text that needed one deoptimised it (then a 25–60 ms recompile on a busy second core).
        clarify,
      };
      if (ctx.includeTokens) parse.tokens = tokens;
      return parse;
    },
  };
}
