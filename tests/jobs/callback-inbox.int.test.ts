import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngest } from '../../src/app/ingest.ts';
import type { Ingest } from '../../src/channels/channel.ts';
import { createCallbackInbox, inboxKeys, redisIsDurable, startInboxDrain } from '../../src/jobs/callback-inbox.ts';
import { createFallbackDedupe } from '../../src/jobs/fallback-dedupe.ts';
import { createInboundQueue, redisConnection } from '../../src/jobs/queues.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Database } from '../../src/store/db.ts';
import { createDeliveryStore } from '../../src/store/deliveries.repo.ts';
import { freshPgDatabase, randomName } from '../support/db.ts';
import { appXml, buildCallback } from '../support/fake-wecom-server.ts';
import { inboundMessage } from '../support/messages.ts';
import { PrivateRedis, REDIS_URL } from '../support/redis.ts';
import { eventually } from '../support/service.ts';
import { WECOM_APP as creds, startWecomService, type WecomTestService } from '../support/wecom-service.ts';

const log = createLogger({ level: 'silent', secretKeys: [] });

const msg = (id: string, text = '快递到哪了') => inboundMessage(id, { role: 'staff', text });

const replay = (key: string) => ({ key, ttlSec: 660 });

describe('callback inbox: the durable one-round-trip accept of WeCom callbacks', () => {
  let durable: PrivateRedis;
  let db: Database;
  let cleanup: () => Promise<void>;
  const prefix = randomName('cbx');
  const keys = inboxKeys(prefix);
  const clients: Redis[] = [];
  const client = (url: string, auto = false) => {
    const c = new Redis(url, { enableAutoPipelining: auto, maxRetriesPerRequest: null });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    durable = await PrivateRedis.start({ durable: true });
    ({ db, cleanup } = await freshPgDatabase());
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await durable.stop();
    await cleanup();
  });

  it('is used only when Redis fsyncs every write', async () => {
    expect(await redisIsDurable(client(REDIS_URL))).toBe(false); // the shared test Redis: appendonly no
    expect(await redisIsDurable(client(durable.url))).toBe(true);
    const shared = createCallbackInbox({ redis: client(REDIS_URL, true), keys, mode: 'auto', log });
    const off = createCallbackInbox({ redis: client(durable.url, true), keys, mode: 'postgres', log });
    expect(await shared.accept(msg('not-durable'), replay('r-0'))).toBeUndefined();
    expect(await off.accept(msg('turned-off'), replay('r-00'))).toBeUndefined();
    shared.close();
    off.close();
  });

  it('accepts once, answers duplicate for a platform retry, refuses an exact replay', async () => {
    const inbox = createCallbackInbox({ redis: client(durable.url, true), keys, mode: 'auto', log });
    expect(await inbox.accept(msg('m-1'), replay('r-1'))).toBe('accepted');
    expect(await inbox.accept(msg('m-1'), replay('r-2'))).toBe('duplicate'); // WeCom's retry: new nonce
    expect(await inbox.accept(msg('m-2'), replay('r-1'))).toBe('replay'); // the same signed request again
    const concurrent = await Promise.all([1, 2, 3].map((i) => inbox.accept(msg('m-3'), replay(`r-3-${i}`))));
    expect(concurrent.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(await client(durable.url).xlen(keys.stream)).toBe(2);
    inbox.close();
  });

  it('keeps what it accepted across a Redis crash; the drain then stores and queues each message once', async () => {
    const inbox = createCallbackInbox({ redis: client(durable.url, true), keys, mode: 'auto', log });
    expect(await inbox.accept(msg('m-crash', '东西坏了 要退货'), replay('r-crash'))).toBe('accepted');
    inbox.close();
    await durable.kill(); // SIGKILL: only what was fsync'd comes back
    await durable.start();
    const after = client(durable.url);
    expect(await after.xlen(keys.stream)).toBe(3);

    const conn = redisConnection(durable.url, 'worker');
    const inbound = createInboundQueue(conn, prefix);
    const ingest = createIngest({
      deliveries: createDeliveryStore(db.sql),
      queue: inbound,
      fallback: createFallbackDedupe(conn, prefix),
    });
    const drain = startInboxDrain({ redis: client(durable.url), keys, ingest, log, blockMs: 100 });
    try {
      expect(
        await eventually(
          () => after.xlen(keys.stream),
          (n) => n === 0,
        ),
      ).toBe(0);
      const rows = await db.sql.query<{ platformMsgId: string; text: string }>(
        `SELECT "platformMsgId", "text" FROM "InboundDelivery" ORDER BY "platformMsgId"`,
      );
      expect(rows.map((r) => r.platformMsgId)).toEqual(['m-1', 'm-3', 'm-crash']);
      expect(rows.find((r) => r.platformMsgId === 'm-crash')?.text).toBe('东西坏了 要退货');
      expect(await inbound.queue.getJobCounts('wait')).toEqual({ wait: 3 });
      expect(drain.drained()).toBe(3);
    } finally {
      await drain.close();
      await inbound.queue.obliterate({ force: true });
      await inbound.queue.close();
      conn.disconnect();
    }
  });

  it('leaves a message the ingest could not take in the stream and takes it again later', async () => {
    const inbox = createCallbackInbox({ redis: client(durable.url, true), keys, mode: 'auto', log });
    expect(await inbox.accept(msg('m-later'), replay('r-later'))).toBe('accepted');
    inbox.close();
    const taken: string[] = [];
    let failures = 0;
    const flaky: Ingest = async (m) => {
      if (failures++ === 0) throw new Error('数据库和 Redis 暂时都不可用');
      taken.push(m.platformMsgId);
      return { status: 'accepted', deliveryId: 'd-1' };
    };
    const drain = startInboxDrain({
      redis: client(durable.url),
      keys,
      ingest: flaky,
      log,
      blockMs: 100,
      claimIdleMs: 300,
    });
    try {
      await eventually(
        async () => taken.length,
        (n) => n > 0,
      );
      expect(taken).toEqual(['m-later']);
      expect(failures).toBe(2);
      expect(await client(durable.url).xlen(keys.stream)).toBe(0);
    } finally {
      await drain.close();
    }
  });

  it('with Redis gone it answers undefined, so the callback takes the PostgreSQL path instead of failing', async () => {
    const conn = new Redis(durable.url, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    conn.on('error', () => {});
    clients.push(conn);
    const inbox = createCallbackInbox({ redis: conn, keys, mode: 'auto', log });
    expect(await inbox.accept(msg('m-before-crash'), replay('r-bc'))).toBe('accepted');
    await durable.kill();
    try {
      expect(await inbox.accept(msg('m-while-down'), replay('r-wd'))).toBeUndefined();
    } finally {
      await durable.start();
      inbox.close();
    }
  });
});

describe('callback inbox in the service: an api process without workers', () => {
  let svc: WecomTestService;
  beforeAll(async () => {
    svc = await startWecomService({ role: 'api', durableRedis: true });
  });
  afterAll(() => svc.stop());

  it('accepts the callback into the inbox, and /healthz shows it waiting for a worker (still healthy)', async () => {
    const before = await eventually(
      () => svc.get('/healthz'),
      (r) => r.status === 200,
    ); // Redis connected
    expect(before.json.checks.wecom_inbox).toEqual({ status: 'up', detail: '回调收件箱没有积压' });
    const cb = buildCallback(creds, appXml.text({ from: 'lisi', content: '查一下订单', msgId: '6200000001' }));
    expect((await svc.postCallback(cb)).status).toBe(200);
    const after = await svc.get('/healthz');
    expect(after.status).toBe(200);
    expect(after.json.checks.wecom_inbox.detail).toMatch(
      /^回调收件箱积压 1 条待 worker 入库，最早的一条 \d+ 秒前收到$/,
    );
    const rows = await svc.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "InboundDelivery"`);
    expect(rows[0]?.n).toBe(0); // in Redis, durably; PostgreSQL gets it from a worker
    expect(await svc.inboxEntries()).toBe(1);
  });
});
