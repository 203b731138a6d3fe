/**
 * Feature extraction for the intent classifier: character n-grams (robust to typos, missing
 * punctuation and words jieba does not know) plus jieba words and word bigrams (which carry the
 * user dictionary's domain terms such as 仅退款 and 运费险 as one unit).
 */

export interface FeatureOptions {
  /** Character n-gram lengths, inclusive (1–3 by default). */
  charMin: number;
  charMax: number;
  /** Add jieba word bigrams besides unigrams. */
  wordBigrams: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { charMin: 1, charMax: 3, wordBigrams: true };

const PUNCT = /[\s\p{P}\p{Z}]+/gu;
const IS_PUNCT = /^[\s\p{P}\p{Z}]+$/u;
const DIGITS = /\d+/g;

/** Digit runs carry no intent, only their presence: every run becomes one `0`. */
function charSegments(folded: string): string[] {
  return folded
    .replace(DIGITS, '0')
    .split(PUNCT)
    .filter((s) => s !== '');
}

/**
 * Char n-grams have no prefix: segments never contain punctuation, so they cannot collide with the
 * `x:`-prefixed keys. Slicing is by UTF-16 unit (an emoji is two units) — the same in training and
 * at parse time, and much cheaper than splitting into code points.
 */
function charGrams(folded: string, opts: FeatureOptions, out: string[]): void {
  for (const seg of charSegments(folded)) {
    // (Segment-edge keys — first and last two units of each segment — were dropped on 2026-11-29:
    // without them held-out accuracy went up, 0.925 → 0.929, and a message has ~4 keys fewer.)
    for (let n = opts.charMin; n <= opts.charMax; n++) {
      for (let i = 0; i + n <= seg.length; i++) out.push(seg.slice(i, i + n));
    }
  }
}

function wordFeatures(tokens: readonly string[], opts: FeatureOptions, out: string[]): void {
  let prev = '^';
  for (const raw of tokens) {
    if (IS_PUNCT.test(raw)) {
      prev = '|';
      continue;
    }
    const tok = /^\d+$/.test(raw) ? '<n>' : raw;
    out.push(`w:${tok}`);
    if (opts.wordBigrams) out.push(`b:${prev}_${tok}`);
    prev = tok;
  }
}

/**
 * The feature keys of one message, with repeats (the vectoriser counts them). `folded` is the
 * normalised text, `tokens` its jieba words.
 */
export function featureKeys(folded: string, tokens: readonly string[], opts: FeatureOptions): string[] {
  const out: string[] = [];
  charGrams(folded, opts, out);
  wordFeatures(tokens, opts, out);
  if (/[?？吗么]/.test(folded)) out.push('q:?');
  if (/[!！]/.test(folded)) out.push('q:!');
  return out;
}
