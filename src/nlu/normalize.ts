/**
 * Text folding shared by the loader, the entity extractor and the classifier.
 *
 * Every step maps one UTF-16 unit to exactly one unit, so an offset in the folded text is the same
 * offset in the customer's original message (entities report positions in the original).
 */

import { createPhraseFinder, type PhraseFinder } from './phrase-index.ts';

/** Units per String.fromCharCode call (well under any engine's argument limit). */
const CHUNK = 8192;

/** The folded unit of every BMP unit for one `t2s` table (built once per table). */
const unitTables = new WeakMap<ReadonlyMap<string, string>, Uint16Array | null>();

function foldUnit(code: number, t2s: ReadonlyMap<string, string>): string {
  let ch: string;
  if (code >= 0xff01 && code <= 0xff5e) ch = String.fromCharCode(code - 0xfee0);
  else if (code === 0x3000) ch = ' ';
  else if (code === 0xffe5) ch = '¥';
  else ch = String.fromCharCode(code);
  if (ch >= 'A' && ch <= 'Z') ch = ch.toLowerCase();
  return t2s.get(ch) ?? ch;
}

/** The unit table of `t2s`, or null when a mapping is not one unit to one unit (then the slow path keeps the old behaviour). */
function unitTable(t2s: ReadonlyMap<string, string>): Uint16Array | null {
  let table = unitTables.get(t2s);
  if (table !== undefined) return table;
  table = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) table[c] = c;
  const changed = [
    ...Array.from({ length: 0xff5e - 0xff01 + 1 }, (_, k) => 0xff01 + k),
    0x3000,
    0xffe5,
    ...Array.from({ length: 26 }, (_, k) => 65 + k),
    ...[...t2s.keys()].filter((k) => k.length === 1).map((k) => k.charCodeAt(0)),
  ];
  for (const c of changed) {
    const folded = foldUnit(c, t2s);
    if (folded.length !== 1) {
      table = null;
      break;
    }
    table[c] = folded.charCodeAt(0);
  }
  unitTables.set(t2s, table);
  return table;
}

/** Folds full-width ASCII to half-width, the ideographic space to a space, ASCII to lower case and traditional characters to simplified (per `t2s`). Length is preserved. */
export function foldText(text: string, t2s: ReadonlyMap<string, string>): string {
  const table = unitTable(t2s);
  if (table === null) {
    let out = '';
    for (let i = 0; i < text.length; i++) out += foldUnit(text.charCodeAt(i), t2s);
    return out;
  }
  // Most messages need no change: return them as they are, without building a string.
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (table[c] !== c) break;
    i++;
  }
  if (i === text.length) return text;
  // One flat string (not one `+=` per unit: the cons string it builds is slower to read, and a new
  // kind of string sent the optimised featurizer back to the interpreter once).
  const units = new Uint16Array(text.length);
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    units[j] = j < i ? c : (table[c] ?? c);
  }
  let out = '';
  for (let from = 0; from < units.length; from += CHUNK) {
    out += String.fromCharCode.apply(null, units.subarray(from, from + CHUNK) as unknown as number[]);
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

/** The finder of each typo table's typos (built once per table). */
const typoFinders = new WeakMap<ReadonlyMap<string, string>, PhraseFinder>();

const isAsciiWordUnit = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch);

/**
 * Spells the typos of `typos` (intents/lookups/typos.txt: 「退宽」 → 「退款」) right in a folded message. Each
 * replacement is as long as its typo, so offsets stay valid. Applied to what customers send, not to the
 * training examples: those keep their colloquial spelling, which is what they teach the model.
 */
export function fixTypos(folded: string, typos: ReadonlyMap<string, string>): string {
  if (typos.size === 0) return folded;
  let find = typoFinders.get(typos);
  if (!find) {
    find = createPhraseFinder(typos.keys());
    typoFinders.set(typos, find);
  }
  // Hits come in text order, the longest first where several start at one place; overlapped ones are skipped.
  let out = '';
  let at = 0;
  for (const h of find(folded)) {
    if (h.start < at) continue;
    // A Latin typo counts only as a word of its own: never inside a tracking number or an English word.
    if (/^[a-z0-9]+$/.test(h.phrase) && (isAsciiWordUnit(folded[h.start - 1]) || isAsciiWordUnit(folded[h.end])))
      continue;
    out += folded.slice(at, h.start) + (typos.get(h.phrase) ?? h.phrase);
    at = h.end;
  }
  return at === 0 ? folded : out + folded.slice(at);
}
