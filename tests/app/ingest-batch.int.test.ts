import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngest } from '../../src/app/ingest.ts';
import { createFallbackDedupe } from '../../src/jobs/fallback-dedupe.ts';
import { createInboundQueue, redisConnection } from '../../src/jobs/queues.ts';
import type { Database } from '../../src/store/db.ts';
import { createDeliveryStore } from '../../src/store/deliveries.repo.ts';
import { freshPgDatabase, freshPgliteDatabase, randomName } from '../support/db.ts';
import { inboundMessage } from '../support/messages.ts';
import { REDIS_URL } from '../support/redis.ts';

const msg = (id: string, text = '还没到') => inboundMessage(id, { text });

describe('ingest group-commits concurrent deliveries (PostgreSQL + Redis)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const conn = redisConnection(REDIS_URL, 'producer');
  const prefix = randomName('ib');
  const inbound = createInboundQueue(conn, prefix);
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
  });
  afterAll(async () => {
    await inbound.queue.obliterate({ force: true }).catch(() => {});
    await inbound.queue.close();
    conn.disconnect();
    await cleanup();
  });

  it('300 concurrent calls with platform retries among them: each message stored and queued once', async () => {
    let statements = 0;
    const counted: Database['sql'] = {
      query: (text, params) => {
        statements++;
        return db.sql.query(text, params);
      },
    };
    const ingest = createIngest({
      deliveries: createDeliveryStore(counted),
      queue: inbound,
      fallback: createFallbackDedupe(conn, prefix),
    });
    const first = await ingest(msg('m-early', '早到的消息')); // stored before the burst: a retry of it is a duplicate
    expect(first.status).toBe('accepted');
    // 200 distinct messages, 99 of them delivered twice at the same time, plus a retry of the early one.
    const calls = [
      ...Array.from({ length: 200 }, (_, i) => msg(`m-${i}`, `消息 ${i}`)),
      ...Array.from({ length: 99 }, (_, i) => msg(`m-${i * 2}`, `消息 ${i * 2}`)),
      msg('m-early', '早到的消息'),
    ];
    statements = 0;
    const results = await Promise.all(calls.map((m) => ingest(m)));
    expect(statements).toBeLessThanOrEqual(10); // group-committed, not one INSERT per call

    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(200);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(100);
    // Both deliveries of one message answer with the same delivery id.
    const byMsg = new Map<string, Set<string>>();
    calls.forEach((m, i) => {
      const ids = byMsg.get(m.platformMsgId) ?? new Set<string>();
      ids.add(results[i]?.deliveryId ?? '');
      byMsg.set(m.platformMsgId, ids);
    });
    expect([...byMsg.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(byMsg.get('m-early')).toEqual(new Set([first.deliveryId]));

    const rows = await db.sql.query<{ platformMsgId: string; text: string; id: string }>(
      `SELECT "platformMsgId", text, id FROM "InboundDelivery" ORDER BY "platformMsgId"`,
    );
    expect(rows).toHaveLength(201);
    expect(rows.find((r) => r.platformMsgId === 'm-7')?.text).toBe('消息 7');
    const jobs = await inbound.queue.getJobs(['waiting', 'delayed', 'active', 'completed'], 0, -1);
    expect(jobs).toHaveLength(201);
    expect(new Set(jobs.map((j) => j.data.deliveryId))).toEqual(new Set(rows.map((r) => r.id)));
  });

  it('a message carrying U+0000 (PostgreSQL cannot store it) is stored without it, and its batch-mates with it', async () => {
    const ingest = createIngest({
      deliveries: createDeliveryStore(db.sql),
      queue: inbound,
      fallback: createFallbackDedupe(conn, prefix),
    });
    const calls = [
      msg('nul-1', '第一条'),
      { ...msg('nul-2', '快递\u0000到哪了'), userRef: 'u\u0000x', replyContext: { k: 'v\u0000' } },
      msg('nul-3', '第三条'),
    ];
    const results = await Promise.all(calls.map((m) => ingest(m)));
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(results.every((r) => !r.deliveryId.startsWith('pending-'))).toBe(true); // in PostgreSQL, not Redis only
    const rows = await db.sql.query<{ platformMsgId: string; text: string; userRef: string }>(
      `SELECT "platformMsgId", text, "userRef" FROM "InboundDelivery" WHERE "platformMsgId" LIKE 'nul-%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.text)).toEqual(['第一条', '快递到哪了', '第三条']);
    expect(rows[1]?.userRef).toBe('ux');
  });

  it('two api instances given the same delivery at the same moment: one accepts, the other answers duplicate', async () => {
    const instance = () =>
      createIngest({
        deliveries: createDeliveryStore(db.sql),
        queue: inbound,
        fallback: createFallbackDedupe(conn, prefix),
      });
    const [a, b] = [instance(), instance()];
    for (let round = 0; round < 40; round++) {
      const m = msg(`race-${round}`);
      const [ra, rb] = await Promise.all([a(m), b(m)]);
      expect([ra.status, rb.status].sort(), `round ${round}`).toEqual(['accepted', 'duplicate']);
      expect(ra.deliveryId).toBe(rb.deliveryId);
    }
  });
});

describe('the batch insert on the embedded database (PGlite)', () => {
  it('stores new messages once and answers repeats, within the batch and from before, with the stored id', async () => {
    const { db, cleanup } = await freshPgliteDatabase();
    try {
      const store = createDeliveryStore(db.sql);
      const [early] = await store.insertMany([msg('p-0', '先到')]);
      const out = await store.insertMany([msg('p-1', '一'), msg('p-0', '先到'), msg('p-2', '二'), msg('p-1', '一')]);
      expect(out.map((o) => o.created)).toEqual([true, false, true, false]);
      expect(out[1]?.id).toBe(early?.id);
      expect(out[3]?.id).toBe(out[0]?.id);
      const rows = await db.sql.query<{ platformMsgId: string; text: string; payload: unknown }>(
        `SELECT "platformMsgId", text, payload FROM "InboundDelivery" ORDER BY "platformMsgId"`,
      );
      expect(rows.map((r) => [r.platformMsgId, r.text])).toEqual([
        ['p-0', '先到'],
        ['p-1', '一'],
        ['p-2', '二'],
      ]);
      expect(await store.get(out[2]?.id ?? '')).toMatchObject({ text: '二', sentAt: new Date('2026-11-29T10:00:00Z') });
    } finally {
      await cleanup();
    }
  });
});
