/**
 * Text folding shared by the loader, the entity extractor and the classifier.
 *
 * Every step maps one UTF-16 unit to exactly one unit, so an offset in the folded text is the same
 * offset in the customer's original message (entities report positions in the original).
 */

/** Folds full-width ASCII to half-width, the ideographic space to a space, ASCII to lower case and traditional characters to simplified (per `t2s`). Length is preserved. */
export function foldText(text: string, t2s: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let ch: string;
    if (code >= 0xff01 && code <= 0xff5e) ch = String.fromCharCode(code - 0xfee0);
    else if (code === 0x3000) ch = ' ';
    else if (code === 0xffe5) ch = '¥';
    else ch = text.charAt(i);
    if (ch >= 'A' && ch <= 'Z') ch = ch.toLowerCase();
    out += t2s.get(ch) ?? ch;
  }
  return out;
}

/**
 * A key for "is this the same sentence": folded, without spaces and punctuation. Used by the data
 * checks so that "发错货了！" and "发错货了" count as one text.
 */
export function compareKey(text: string, t2s: ReadonlyMap<string, string>): string {
  const folded = foldText(text, t2s);
  const bare = folded.replace(/[\s\p{P}\p{S}]+/gu, '');
  // An emoji-only message has no letters left: compare it by its symbols instead.
  return bare === '' ? folded.replace(/\s+/g, '') : bare;
}

/** Largest message the parser classifies; longer input is cut (a 10,000-character paste is not a chat line). */
export const MAX_PARSE_CHARS = 2000;
