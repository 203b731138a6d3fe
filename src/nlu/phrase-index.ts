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
  const byFirst = new Map<string, string[]>();
  for (const p of new Set(phrases)) {
    if (p === '') continue;
    const first = p.charAt(0);
    const list = byFirst.get(first) ?? [];
    list.push(p);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return (text) => {
    const hits: PhraseHit[] = [];
    for (let i = 0; i < text.length; i++) {
      const list = byFirst.get(text.charAt(i));
      if (!list) continue;
      for (const p of list) if (text.startsWith(p, i)) hits.push({ phrase: p, start: i, end: i + p.length });
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
 * Returns the values of the groups that fire on a text, in group order. A word occurrence covered by
 * an `unless` phrase of the same group does not count (不急 does not fire 急).
 */
export function createTriggerMatcher<T>(groups: ReadonlyArray<TriggerGroup<T>>): (text: string) => T[] {
  const lower = groups.map((g) => ({
    words: new Set(g.words.map((w) => w.toLowerCase())),
    unless: new Set((g.unless ?? []).map((w) => w.toLowerCase())),
    value: g.value,
  }));
  const find = createPhraseFinder(lower.flatMap((g) => [...g.words, ...g.unless]));
  return (text) => {
    const hits = find(text);
    if (hits.length === 0) return [];
    const fired: T[] = [];
    for (const g of lower) {
      const blocks = hits.filter((h) => g.unless.has(h.phrase));
      const live = hits.some((h) => g.words.has(h.phrase) && !blocks.some((b) => b.start <= h.start && h.end <= b.end));
      if (live) fired.push(g.value);
    }
    return fired;
  };
}
