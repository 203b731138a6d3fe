/**
 * Fast multi-phrase search for the word lists of intents/ (lookups, urgency cues, rule words,
 * manager words). Phrases are indexed by their first character, so a message is scanned once
 * instead of once per phrase (hundreds of `indexOf` calls cost more than the whole classifier).
 */

export interface PhraseHit {
  phrase: string;
  start: number;
  end: number;
}

/** Every occurrence of every phrase (overlaps included), in text order. */
export type PhraseFinder = (text: string) => PhraseHit[];

export function createPhraseFinder(phrases: Iterable<string>): PhraseFinder {
  // First UTF-16 unit → phrases starting with it, longest first; `starts` (one bit per unit, 8 KB)
  // rejects the other units with one read (no one-character string, no Map lookup per character).
  const byFirst = new Map<number, string[]>();
  const starts = new Int32Array(2048);
  for (const p of new Set(phrases)) {
    if (p === '') continue;
    const first = p.charCodeAt(0);
    const list = byFirst.get(first) ?? [];
    list.push(p);
    byFirst.set(first, list);
    starts[first >> 5] = (starts[first >> 5] ?? 0) | (1 << (first & 31));
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return (text) => {
    const hits: PhraseHit[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((((starts[c >> 5] ?? 0) >>> (c & 31)) & 1) === 0) continue;
      for (const p of byFirst.get(c) ?? [])
        if (text.startsWith(p, i)) hits.push({ phrase: p, start: i, end: i + p.length });
    }
    return hits;
  };
}

/** A group of trigger words that fire together unless the occurrence sits inside one of `unless`. */
export interface TriggerGroup<T> {
  words: readonly string[];
  unless?: readonly string[];
  value: T;
}

/**
 * Whether one of the `unless` phrases among `hits` spans `h`. A module function rather than a named
 * closure per fired group: under tsx each named closure also costs a `__name` call.
 */
const coveredBy = (h: PhraseHit, hits: readonly PhraseHit[], unless: ReadonlySet<string>) =>
  hits.some((b) => unless.has(b.phrase) && b.start <= h.start && h.end <= b.end);

/**
 * Returns the values of the groups that fire on a text, in group order. A word occurrence covered by
 * an `unless` phrase of the same group does not count (不急 does not fire 急).
 */
export function createTriggerMatcher<T>(groups: ReadonlyArray<TriggerGroup<T>>): (text: string) => T[] {
  const lower = groups.map((g) => ({
    words: new Set(g.words.map((w) => w.toLowerCase())),
    unless: new Set((g.unless ?? []).map((w) => w.toLowerCase())),
    value: g.value,
  }));
  // Word → the groups it triggers: only those groups are checked, not all of them per message.
  const groupsOf = new Map<string, number[]>();
  lower.forEach((g, k) => {
    for (const w of g.words) groupsOf.set(w, [...(groupsOf.get(w) ?? []), k]);
  });
  const find = createPhraseFinder(lower.flatMap((g) => [...g.words, ...g.unless]));
  return (text) => {
    const hits = find(text);
    if (hits.length === 0) return [];
    const touched: number[] = [];
    for (const h of hits) for (const k of groupsOf.get(h.phrase) ?? []) if (!touched.includes(k)) touched.push(k);
    touched.sort((a, b) => a - b);
    const fired: T[] = [];
    for (const k of touched) {
      const g = lower[k];
      if (!g) continue;
      if (hits.some((h) => g.words.has(h.phrase) && !coveredBy(h, hits, g.unless))) fired.push(g.value);
    }
    return fired;
  };
}
