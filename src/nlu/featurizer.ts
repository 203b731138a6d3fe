/**
 * The parse-time twin of `vectorize(featureKeys(folded, tokens), vocab)`: the same sparse TF-IDF
 * vector, bit for bit, without building a string per character n-gram.
 *
 * Why: a 13-character message has ~60 char n-gram keys; slicing each into a new string and hashing
 * it for the vocabulary Map was half of parse(). Here the segments are read into a buffer of UTF-16
 * units, and a char n-gram (or segment-edge key) is the exact pair (tag·2¹⁶ + u₁, u₂·2¹⁶ + u₃) looked
 * up in an open-addressing table of integers — no allocation per key. Word and bigram keys stay
 * strings (a handful per message). Training keeps the string keys (features.ts), so the model file
 * does not change; tests/nlu/featurizer.test.ts checks that both paths give identical vectors on
 * every example text and on odd input.
 */
import { type FeatureOptions, featureKeys } from './features.ts';
import { type SparseVector, type Vocabulary, vectorize, weigh } from './vectorizer.ts';

export type Featurizer = (folded: string, tokens: readonly string[]) => SparseVector;

const EDGE_START = 3; // tags 4,5: `s:` + 1 or 2 units
const EDGE_END = 5; // tags 6,7: `e:` + 1 or 2 units

/** Integer table from (a, b) key pairs to feature indices; a = 0 marks an empty slot (real keys have a tag ≥ 1). */
class UnitTable {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly v: Int32Array;
  private readonly mask: number;

  constructor(size: number) {
    let cap = 16;
    while (cap < size * 2) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.v = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  }

  set(a: number, b: number, value: number): void {
    let i = this.slot(a, b) & this.mask;
    while (this.a[i] !== 0 && !(this.a[i] === a && this.b[i] === b)) i = (i + 1) & this.mask;
    this.a[i] = a;
    this.b[i] = b;
    this.v[i] = value;
  }

  /** The feature index, or -1. */
  get(a: number, b: number): number {
    let i = this.slot(a, b) & this.mask;
    for (;;) {
      const ka = this.a[i] ?? 0;
      if (ka === 0) return -1;
      if (ka === a && this.b[i] === b) return this.v[i] ?? -1;
      i = (i + 1) & this.mask;
    }
  }
}

const SEPARATOR = /^[\s\p{P}\p{Z}]$/u;
const CLASS_NORMAL = 1;
const CLASS_DIGIT = 2;
const CLASS_SEPARATOR = 3;

/** Character class per BMP unit (normal, ASCII digit, separator), filled lazily from the same regex as features.ts. */
const bmpClass = new Uint8Array(65536);

function classOf(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const known = bmpClass[c] ?? 0;
  if (known !== 0) return known;
  let cls: number;
  if (c >= 48 && c <= 57) cls = CLASS_DIGIT;
  else if (c >= 0xd800 && c <= 0xdfff) {
    // Surrogates: classify the whole code point, never cache (astral punctuation is rare).
    const low = c >= 0xdc00;
    const paired = low && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
    const cp = paired ? (text.codePointAt(i - 1) ?? c) : low ? c : (text.codePointAt(i) ?? c);
    return SEPARATOR.test(String.fromCodePoint(cp)) ? CLASS_SEPARATOR : CLASS_NORMAL;
  } else cls = SEPARATOR.test(String.fromCharCode(c)) ? CLASS_SEPARATOR : CLASS_NORMAL;
  bmpClass[c] = cls;
  return cls;
}

/** Segments as units: `units[0..used)` holds them back to back, `ends[k]` is where segment k ends. */
interface Segments {
  units: Uint16Array;
  ends: Int32Array;
  count: number;
}

/**
 * Reads the segments of features.ts's `charSegments` into `seg` — digit runs folded to one `0`,
 * split at whitespace and punctuation (a surrogate pair that is punctuation splits like its code
 * point). `seg` must hold at least `folded.length` units and `folded.length` ends.
 */
function readSegments(folded: string, seg: Segments): void {
  let n = 0;
  let count = 0;
  let open = false;
  for (let i = 0; i < folded.length; i++) {
    const cls = classOf(folded, i);
    if (cls === CLASS_SEPARATOR) {
      if (open) seg.ends[count++] = n;
      open = false;
      continue;
    }
    open = true;
    if (cls === CLASS_DIGIT) {
      seg.units[n++] = 48;
      while (i + 1 < folded.length && classOf(folded, i + 1) === CLASS_DIGIT) i++;
    } else seg.units[n++] = folded.charCodeAt(i);
  }
  if (open) seg.ends[count++] = n;
  seg.count = count;
}

/** The (a, b) pair of `tag` and up to 3 units. */
const pairA = (tag: number, u1: number) => tag * 65536 + u1;
const pairB = (u2: number, u3: number) => (u2 << 16) | u3; // an int32, as the table stores it

/** Registers a vocabulary key in `table` when it is a char n-gram or segment edge; false for other keys. */
function addNumericKey(table: UnitTable, key: string, index: number, o: FeatureOptions): boolean {
  let tag: number;
  let from = 0;
  if (key.length >= 2 && key.charCodeAt(1) === 58 /* ':' */) {
    const prefix = key.charCodeAt(0);
    const body = key.length - 2;
    if ((prefix !== 115 /* s */ && prefix !== 101) /* e */ || body < 1 || body > 2) return false;
    tag = (prefix === 115 ? EDGE_START : EDGE_END) + body;
    from = 2;
  } else {
    // A char n-gram never contains separators, so it cannot look like a prefixed key.
    if (key.length < o.charMin || key.length > o.charMax) return false;
    tag = key.length;
  }
  const len = key.length - from;
  const u1 = key.charCodeAt(from);
  const u2 = len > 1 ? key.charCodeAt(from + 1) : 0;
  const u3 = len > 2 ? key.charCodeAt(from + 2) : 0;
  table.set(pairA(tag, u1), pairB(u2, u3), index);
  return true;
}

/**
 * Builds the featurizer for a loaded vocabulary. Falls back to the string path when the options use
 * n-grams longer than 3 units (their key would not fit the pair).
 */
export function compileFeaturizer(vocab: Vocabulary, o: FeatureOptions): Featurizer {
  if (o.charMax > 3 || o.charMin < 1) return (folded, tokens) => vectorize(featureKeys(folded, tokens, o), vocab);
  const table = new UnitTable(vocab.index.size);
  const strings = new Map<string, number>();
  for (const [key, i] of vocab.index) if (!addNumericKey(table, key, i, o)) strings.set(key, i);
  let seg: Segments = { units: new Uint16Array(512), ends: new Int32Array(512), count: 0 };
  let found = new Int32Array(512);
  let n = 0;
  const push = (i: number | undefined) => {
    if (i === undefined || i < 0) return;
    if (n === found.length) {
      const bigger = new Int32Array(found.length * 2);
      bigger.set(found);
      found = bigger;
    }
    found[n++] = i;
  };
  const gram = (tag: number, at: number, len: number) =>
    push(
      table.get(
        pairA(tag, seg.units[at] ?? 0),
        pairB(len > 1 ? (seg.units[at + 1] ?? 0) : 0, len > 2 ? (seg.units[at + 2] ?? 0) : 0),
      ),
    );
  return (folded, tokens) => {
    n = 0;
    if (seg.units.length < folded.length) {
      seg = { units: new Uint16Array(folded.length), ends: new Int32Array(folded.length), count: 0 };
    }
    readSegments(folded, seg);
    let start = 0;
    for (let k = 0; k < seg.count; k++) {
      const end = seg.ends[k] ?? start;
      for (let len = o.charMin; len <= o.charMax; len++) {
        for (let i = start; i + len <= end; i++) gram(len, i, len);
      }
      const head = Math.min(2, end - start);
      gram(EDGE_START + head, start, head);
      gram(EDGE_END + head, end - head, head);
      start = end;
    }
    let prev = '^';
    for (const raw of tokens) {
      if (SEPARATOR_RUN.test(raw)) {
        prev = '|';
        continue;
      }
      const tok = ALL_DIGITS.test(raw) ? '<n>' : raw;
      push(strings.get(`w:${tok}`));
      if (o.wordBigrams) push(strings.get(`b:${prev}_${tok}`));
      prev = tok;
    }
    if (QUESTION.test(folded)) push(strings.get('q:?'));
    if (BANG.test(folded)) push(strings.get('q:!'));
    return weigh(found.subarray(0, n), vocab.idf);
  };
}

const SEPARATOR_RUN = /^[\s\p{P}\p{Z}]+$/u;
const ALL_DIGITS = /^\d+$/;
const QUESTION = /[?？吗么]/;
const BANG = /[!！]/;
