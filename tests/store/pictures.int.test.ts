import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { createPictureStore, PICTURE_TOKEN, PICTURE_TTL_MS } from '../../src/store/pictures.repo.ts';
import { freshPgDatabase, freshPgliteDatabase } from '../support/db.ts';
import { testPng } from '../support/png.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {});
});

describe.each(['postgres', 'pglite'] as const)('linked pictures on %s', (kind) => {
  async function open(): Promise<Database> {
    const { db, cleanup } = kind === 'postgres' ? await freshPgDatabase() : await freshPgliteDatabase();
    cleanups.push(cleanup);
    return db;
  }
  const t0 = new Date('2026-12-01T01:00:00Z');
  const chart = testPng(40, 30);

  it('a picture kept is read back byte for byte by its token, and a retried message gets the same token', async () => {
    const pictures = createPictureStore((await open()).sql);
    const token = await pictures.publish({ dedupeKey: 'reply:d1', png: chart, title: '订单健康日报' }, t0);
    expect(token).toMatch(PICTURE_TOKEN);
    const back = await pictures.read(token, t0);
    expect(back?.title).toBe('订单健康日报');
    expect(back?.png.equals(chart)).toBe(true);
    expect(await pictures.publish({ dedupeKey: 'reply:d1', png: chart, title: '订单健康日报' }, t0)).toBe(token);
    const other = await pictures.publish({ dedupeKey: 'reply:d2', png: chart, title: '根因周报' }, t0);
    expect(other).not.toBe(token);
  });

  it('an unknown, malformed or lapsed token reads nothing; the purge deletes only lapsed pictures', async () => {
    const pictures = createPictureStore((await open()).sql);
    const old = await pictures.publish({ dedupeKey: 'old', png: chart, title: 'a' }, t0);
    const later = new Date(t0.getTime() + 10 * 24 * 3600_000);
    const recent = await pictures.publish({ dedupeKey: 'recent', png: chart, title: 'b' }, later);
    expect(await pictures.read('A'.repeat(24), t0)).toBeUndefined();
    expect(await pictures.read("x' OR 1=1 --", t0)).toBeUndefined();
    const lapsed = new Date(t0.getTime() + PICTURE_TTL_MS + 1000);
    expect(await pictures.read(old, new Date(lapsed.getTime() - 2000))).toBeDefined();
    expect(await pictures.read(old, lapsed)).toBeUndefined();
    expect(await pictures.purge(lapsed)).toBe(1);
    expect(await pictures.read(recent, lapsed)).toBeDefined();
    expect(await pictures.purge(lapsed)).toBe(0);
  });
});
