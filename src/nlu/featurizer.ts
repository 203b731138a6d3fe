/**
 * The parse-time twin of `vectorize(featureKeys(folded, tokens), vocab)`: the same sparse TF-IDF
 * vector, bit for bit, without building a string per character n-gram.
 *
 * Why: a 13-character message has ~60 char n-gram keys; slicing each into a new string and hashing
 * it for the vocabulary Map was half of parse(). Here the segments are read into a buffer of UTF-16
 * units, and a char n-gram is the exact pair (length·2¹⁶ + u₁, u₂·2¹⁶ + u₃) looked
 * up in an open-addressing table of integers — no allocation per key. A word is one Map lookup for
 * its id, and a word bigram is the integer pair (previous id, id) in the same table, so no key string
 * is built either. The vector is written into reused buffers (no allocation per message). Training
 * keeps the string keys (features.ts), so the model file does not change;
 * tests/nlu/featurizer.test.ts checks that both paths give identical vectors on every example text
 * and on odd input.
 */
import { type FeatureOptions, featureKeys } from './features.ts';
import { type SparseVector, tfidf, type Vocabulary, vectorize } from './vectorizer.ts';

export type Featurizer = (folded: string, tokens: readonly string[]) => SparseVector;

/**
 * The parse path: the same vector as {@link Featurizer}, written into buffers the featurizer owns
 * (valid until its next call) instead of fresh arrays. `fill` returns the number of entries.
 */
export interface BufferedFeaturizer {
  fill(folded: string, tokens: readonly string[]): number;
  /** Current buffers (replaced when a long message needs more room: read them after `fill`). */
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

/**
 * Integer table from (a, b) key pairs to feature indices; a = 0 marks an empty slot (real keys have
 * a tag ≥ 1). One slot is 4 int32 (a, b, value, unused) side by side, so a probe reads one cache line.
 * At most 2/3 full: for the shipped model (35k keys) that is 1 MB instead of the 2 MB of a half-full
 * table, and the probes, most of them cache misses, were the largest cost of `fill`.
 */
class UnitTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(size: number) {
    let cap = 16;
    while (cap * 2 < size * 3) cap *= 2;
    this.slots = new Int32Array(cap * 4);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  }

  set(a: number, b: number, value: number): void {
    const s = this.slots;
    let i = this.slot(a, b) & this.mask;
    while (s[i * 4] !== 0 && !(s[i * 4] === a && s[i * 4 + 1] === b)) i = (i + 1) & this.mask;
    s[i * 4] = a;
    s[i * 4 + 1] = b;
    s[i * 4 + 2] = value;
  }

  /** The feature index, or -1. */
  get(a: number, b: number): number {
    const s = this.slots;
    let i = this.slot(a, b) & this.mask;
    for (;;) {
      const at = i * 4;
      const ka = s[at] ?? 0;
      if (ka === 0) return -1;
      if (ka === a && s[at + 1] === b) return s[at + 2] ?? -1;
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
  return known !== 0 ? known : classify(text, i, c);
}

/**
 * The class of a unit not in `bmpClass` yet (then cached, unless a surrogate). Out of classOf, so
 * the regex and code-point handling are not compiled into every function classOf is inlined in
 * (TurboFan took ~50 ms for readSegments with them, on the second core, during the first parses).
 */
function classify(text: string, i: number, c: number): number {
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

/**
 * Segments as units: `units[0..)` holds them back to back, `ends[k]` is where segment k ends. The
 * scalar results go to `info` (count, has ?？吗么 — the `q:?` key —, has !！ — `q:!`) rather than to
 * object fields: a typed-array store never changes an object's shape (which cost a deopt).
 */
interface Segments {
  units: Uint16Array;
  ends: Int32Array;
  info: Int32Array;
}

const COUNT = 0;
const QUESTION = 1;
const BANG = 2;

const isQuestionUnit = (c: number) => c === 63 || c === 0xff1f || c === 0x5417 /* 吗 */ || c === 0x4e48; /* 么 */
const isBangUnit = (c: number) => c === 33 || c === 0xff01;

/**
 * Reads the segments of features.ts's `charSegments` into `seg` — digit runs folded to one `0`,
 * split at whitespace and punctuation (a surrogate pair that is punctuation splits like its code
 * point). `seg` must hold at least `folded.length` units and `folded.length` ends.
 */
function readSegments(folded: string, { units, ends, info }: Segments): void {
  let n = 0;
  let count = 0;
  let open = false;
  let question = false;
  let bang = false;
  for (let i = 0; i < folded.length; i++) {
    const cls = classOf(folded, i);
    const c = folded.charCodeAt(i);
    if (isQuestionUnit(c)) question = true;
    else if (isBangUnit(c)) bang = true;
    if (cls === CLASS_SEPARATOR) {
      if (open) ends[count++] = n;
      open = false;
      continue;
    }
    open = true;
    if (cls === CLASS_DIGIT) {
      units[n++] = 48;
      while (i + 1 < folded.length && classOf(folded, i + 1) === CLASS_DIGIT) i++;
    } else units[n++] = c;
  }
  if (open) ends[count++] = n;
  info[COUNT] = count;
  info[QUESTION] = question ? 1 : 0;
  info[BANG] = bang ? 1 : 0;
}

/** The (a, b) pair of `tag` and up to 3 units. */
const pairA = (tag: number, u1: number) => tag * 65536 + u1;
const pairB = (u2: number, u3: number) => (u2 << 16) | u3; // an int32, as the table stores it

/**
 * Registers a vocabulary key when it is a char n-gram: a single unit in `singles` (indexed by the
 * unit itself), a longer one in `table` (its tag is its length); false for other keys.
 */
function addNumericKey(table: UnitTable, singles: Int32Array, key: string, index: number, o: FeatureOptions): boolean {
  // A char n-gram never contains separators, so it cannot look like a prefixed key (`w:`, `b:`, `q:`).
  if (key.length >= 2 && key.charCodeAt(1) === 58 /* ':' */) return false;
  if (key.length < o.charMin || key.length > o.charMax) return false;
  const u1 = key.charCodeAt(0);
  if (key.length === 1) {
    singles[u1] = index;
    return true;
  }
  const u2 = key.length > 1 ? key.charCodeAt(1) : 0;
  const u3 = key.length > 2 ? key.charCodeAt(2) : 0;
  table.set(pairA(key.length, u1), pairB(u2, u3), index);
  return true;
}

const BIGRAM_TAG = 8; // above every n-gram tag: (8·2¹⁶ + previous word id, word id)
const START = '^';
const BREAK = '|';
const NUMBER = '<n>';

/** A token that is only separators (features.ts's IS_PUNCT), read through the cached classes. */
function isSeparatorRun(tok: string): boolean {
  if (tok.length === 0) return false;
  for (let i = 0; i < tok.length; i++) if (classOf(tok, i) !== CLASS_SEPARATOR) return false;
  return true;
}

/** Only ASCII digits (features.ts's `/^\d+$/`). */
function isDigitRun(tok: string): boolean {
  if (tok.length === 0) return false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const WORD_TAG = 4; // a word of 1–3 units: (4 + length)·2¹⁶ + u₁, (u₂, u₃), below BIGRAM_TAG

/** The table key of a word of 1–3 units (the caller checks the length). */
const wordA = (word: string) => pairA(WORD_TAG + word.length, word.charCodeAt(0));
const wordB = (word: string) =>
  pairB(word.length > 1 ? word.charCodeAt(1) : 0, word.length > 2 ? word.charCodeAt(2) : 0);

/**
 * Word keys as integers: every word of a `w:` key or of an unambiguous `b:prev_word` key (one `_`)
 * gets an id, so a message's word costs one lookup and its bigram one integer-table probe. A word of
 * 1–3 units (nine in ten jieba words) finds its id in the integer table, a longer one in a Map: a
 * probe instead of hashing the fresh token string and comparing it with the Map's key (the Map
 * lookups were a quarter of `fill`). A bigram key with several `_` (a word that contains one) stays
 * a string and is only looked up when the message's words contain `_`.
 */
class WordKeys {
  readonly ids = new Map<string, number>();
  unigram = new Int32Array(16).fill(-1);
  readonly odd = new Map<string, number>();

  constructor(private readonly table: UnitTable) {}

  /** The id of a word, or -1 when no key has it. */
  find(word: string): number {
    if (word.length === 0 || word.length > 3) return this.ids.get(word) ?? -1;
    return this.table.get(wordA(word), wordB(word));
  }

  id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(word, id);
      if (word.length >= 1 && word.length <= 3) this.table.set(wordA(word), wordB(word), id);
      if (id >= this.unigram.length) {
        const bigger = new Int32Array(this.unigram.length * 2).fill(-1);
        bigger.set(this.unigram);
        this.unigram = bigger;
      }
    }
    return id;
  }

  /** Registers a `w:`/`b:` key; false for other keys. */
  add(key: string, index: number): boolean {
    if (key.startsWith('w:')) {
      const id = this.id(key.slice(2)); // before reading `this.unigram`: id() may replace it
      this.unigram[id] = index;
      return true;
    }
    if (!key.startsWith('b:')) return false;
    const body = key.slice(2);
    const cut = body.indexOf('_');
    if (cut < 0) return false; // cannot come from features.ts; never looked up
    if (body.indexOf('_', cut + 1) >= 0) {
      this.odd.set(key, index);
      return true;
    }
    const prev = this.id(body.slice(0, cut));
    this.table.set(BIGRAM_TAG * 65536 + prev, this.id(body.slice(cut + 1)), index);
    return true;
  }
}

/**
 * Builds the featurizer for a loaded vocabulary. Falls back to the string path when the options use
 * n-grams longer than 3 units (their key would not fit the pair).
 */
export function compileFeaturizer(vocab: Vocabulary, o: FeatureOptions): Featurizer {
  if (o.charMax > 3 || o.charMin < 1) return (folded, tokens) => vectorize(featureKeys(folded, tokens, o), vocab);
  const b = compileBufferedFeaturizer(vocab, o);
  return (folded, tokens) => {
    const m = b.fill(folded, tokens);
    return { idx: b.idx.slice(0, m), val: b.val.slice(0, m) };
  };
}

/** The featurizer of the parse path (buffers reused from call to call). */
export function compileBufferedFeaturizer(vocab: Vocabulary, o: FeatureOptions): BufferedFeaturizer {
  if (o.charMax > 3 || o.charMin < 1) {
    // The string path, copied into buffers: n-grams longer than 3 units do not fit the pair.
    let idx: Int32Array = new Int32Array(0);
    let val: Float64Array = new Float64Array(0);
    return {
      fill(folded, tokens) {
        const v = vectorize(featureKeys(folded, tokens, o), vocab);
        idx = v.idx;
        val = v.val;
        return v.idx.length;
      },
      get idx() {
        return idx;
      },
      get val() {
        return val;
      },
    };
  }
  const table = new UnitTable(vocab.index.size);
  // Unigrams are about a third of the n-grams of a message: one array read each instead of a hash
  // probe (256 KB).
  const singles = new Int32Array(65536).fill(-1);
  const words = new WordKeys(table);
  const startId = words.id(START);
  const breakId = words.id(BREAK);
  const numberId = words.id(NUMBER);
  const strings = new Map<string, number>();
  for (const [key, i] of vocab.index) {
    if (!addNumericKey(table, singles, key, i, o) && !words.add(key, i)) strings.set(key, i);
  }
  const { unigram, odd } = words;
  const question = strings.get('q:?') ?? -1;
  const bang = strings.get('q:!') ?? -1;
  const idf = vocab.idf;
  let units = new Uint16Array(512);
  let ends = new Int32Array(512);
  const info = new Int32Array(3);
  // Per feature, its entry in the current message if `idx` there holds it (a sparse set: stale
  // values fail that check, so nothing is cleared between messages), so repeats are counted in
  // first-occurrence order without sorting the indices. Half the size of a [stamp, entry] pair per
  // feature (150 KB), and one random read per feature instead of two.
  const seen = new Int32Array(idf.length);
  let idx: Int32Array = new Int32Array(512);
  let counts = new Int32Array(512);
  let val: Float64Array = new Float64Array(512);
  let m = 0;
  const push = (i: number) => {
    if (i < 0) return;
    const at = seen[i] ?? 0;
    if (at < m && idx[at] === i) {
      counts[at] = (counts[at] ?? 0) + 1;
      return;
    }
    seen[i] = m;
    if (m === idx.length) {
      const biggerIdx = new Int32Array(m * 2);
      const biggerCounts = new Int32Array(m * 2);
      biggerIdx.set(idx);
      biggerCounts.set(counts);
      idx = biggerIdx;
      counts = biggerCounts;
      val = new Float64Array(m * 2);
    }
    idx[m] = i;
    counts[m++] = 1;
  };
  const gram = (tag: number, at: number, len: number) => {
    const u = units;
    push(table.get(pairA(tag, u[at] ?? 0), pairB(len > 1 ? (u[at + 1] ?? 0) : 0, len > 2 ? (u[at + 2] ?? 0) : 0)));
  };
  const fill = (folded: string, tokens: readonly string[]): number => {
    m = 0;
    if (units.length < folded.length) {
      units = new Uint16Array(folded.length);
      ends = new Int32Array(folded.length);
    }
    readSegments(folded, { units, ends, info });
    let start = 0;
    const count = info[COUNT] ?? 0;
    for (let k = 0; k < count; k++) {
      const end = ends[k] ?? start;
      for (let len = o.charMin; len <= o.charMax; len++) {
        if (len === 1) for (let i = start; i < end; i++) push(singles[units[i] ?? 0] ?? -1);
        else for (let i = start; i + len <= end; i++) gram(len, i, len);
      }
      start = end;
    }
    let prev = START;
    let prevId = startId;
    let prevUnder = false;
    for (const raw of tokens) {
      if (isSeparatorRun(raw)) {
        prev = BREAK;
        prevId = breakId;
        prevUnder = false;
        continue;
      }
      const digits = isDigitRun(raw);
      const tok = digits ? NUMBER : raw;
      const id = digits ? numberId : words.find(tok);
      if (id >= 0) push(unigram[id] ?? -1);
      const under = tok.includes('_');
      if (o.wordBigrams) {
        if (prevUnder || under) push(odd.get(`b:${prev}_${tok}`) ?? -1);
        else if (prevId >= 0 && id >= 0) push(table.get(BIGRAM_TAG * 65536 + prevId, id));
      }
      prev = tok;
      prevId = id;
      prevUnder = under;
    }
    if (info[QUESTION] === 1) push(question);
    if (info[BANG] === 1) push(bang);
    tfidf(idx, counts, m, idf, val);
    return m;
  };
  return {
    fill,
    get idx() {
      return idx;
    },
    get val() {
      return val;
    },
  };
}
