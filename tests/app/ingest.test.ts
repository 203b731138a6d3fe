import { describe, expect, it } from 'vitest';
import { createIngest } from '../../src/app/ingest.ts';
import type { DeliveryStore, FallbackDedupe, InboundJob, InboundQueue } from '../../src/app/ports.ts';
import type { InboundMessage } from '../../src/channels/channel.ts';

const msg = (id: string): InboundMessage => ({
  channel: 'sandbox',
  platformMsgId: id,
  userRef: 'c1',
  role: 'customer',
  text: '还没到',
});

function fakes(opts: { dbDown?: boolean; redisDown?: boolean } = {}) {
  const stored = new Map<string, string>();
  const jobs: InboundJob[] = [];
  const seen = new Set<string>();
  const deliveries = {
    async insert(m: InboundMessage) {
      if (opts.dbDown) throw new Error('ECONNREFUSED');
      const key = `${m.channel}/${m.platformMsgId}`;
      const existing = stored.get(key);
      if (existing) return { id: existing, created: false };
      stored.set(key, `d${stored.size + 1}`);
      return { id: `d${stored.size}`, created: true };
    },
  } as unknown as DeliveryStore;
  const queue: InboundQueue = {
    async enqueue(job) {
      if (opts.redisDown) throw new Error('Connection is closed');
      jobs.push(job);
    },
  };
  const fallback: FallbackDedupe = {
    async firstSeen(channel, id) {
      if (opts.redisDown) throw new Error('Connection is closed');
      const k = `${channel}/${id}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    },
  };
  return { ingest: createIngest({ deliveries, queue, fallback }), stored, jobs };
}

describe('ingest (store → enqueue)', () => {
  it('stores and enqueues once; a re-delivery is a duplicate with the same delivery id', async () => {
    const f = fakes();
    const a = await f.ingest(msg('m1'));
    const b = await f.ingest(msg('m1'));
    expect(a).toEqual({ status: 'accepted', deliveryId: 'd1' });
    expect(b).toEqual({ status: 'duplicate', deliveryId: 'd1' });
    expect(f.jobs.map((j) => j.deliveryId)).toEqual(['d1']);
  });

  it('keeps the delivery in the database when Redis is down (the relay enqueues it later)', async () => {
    const f = fakes({ redisDown: true });
    await expect(f.ingest(msg('m2'))).resolves.toEqual({ status: 'accepted', deliveryId: 'd1' });
    expect(f.stored.size).toBe(1);
  });

  it('accepts into Redis with the whole message when the database is down, deduped there', async () => {
    const f = fakes({ dbDown: true });
    const a = await f.ingest(msg('m3'));
    const b = await f.ingest(msg('m3'));
    expect(a.status).toBe('accepted');
    expect(b.status).toBe('duplicate');
    expect(f.jobs).toHaveLength(1);
    expect(f.jobs[0]?.deliveryId).toBeUndefined();
    expect(f.jobs[0]?.message.text).toBe('还没到');
  });

  it('refuses with a coded error when both are down, so the platform retries', async () => {
    const f = fakes({ dbDown: true, redisDown: true });
    await expect(f.ingest(msg('m4'))).rejects.toMatchObject({ code: 'database_unavailable' });
  });
});

describe('ingest with group commit: a row the database refuses', () => {
  it('fails only that message, with a coded error; its batch-mates are stored and queued', async () => {
    const stored = new Map<string, string>();
    const jobs: InboundJob[] = [];
    const refuses = (m: InboundMessage) => m.text.includes('坏');
    const rowError = () => Object.assign(new Error('invalid byte sequence'), { code: '22021' });
    const deliveries: DeliveryStore = {
      async insert(m) {
        if (refuses(m)) throw rowError();
        stored.set(m.platformMsgId, `d-${m.platformMsgId}`);
        return { id: `d-${m.platformMsgId}`, created: true };
      },
      async insertMany(ms) {
        if (ms.some(refuses)) throw rowError(); // one statement: the whole batch fails
        return ms.map((m) => {
          stored.set(m.platformMsgId, `d-${m.platformMsgId}`);
          return { id: `d-${m.platformMsgId}`, created: true };
        });
      },
    } as DeliveryStore;
    const queue: InboundQueue = {
      async enqueue(job) {
        jobs.push(job);
      },
      async enqueueMany(js) {
        jobs.push(...js);
      },
    };
    const fallback: FallbackDedupe = {
      async firstSeen() {
        throw new Error('the Redis fallback must not be used for a refused row');
      },
    };
    const ingest = createIngest({ deliveries, queue, fallback });
    const texts = ['好的一', '坏的', '好的二', '好的三'];
    const results = await Promise.allSettled(texts.map((t, i) => ingest({ ...msg(`r${i}`), text: t })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'malformed_body' });
    expect([...stored.keys()].sort()).toEqual(['r0', 'r2', 'r3']);
    expect(jobs.map((j) => j.deliveryId).sort()).toEqual(['d-r0', 'd-r2', 'd-r3']);
  });
});
