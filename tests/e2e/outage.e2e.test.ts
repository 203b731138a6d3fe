import { afterEach, describe, expect, it } from 'vitest';
import { freshSchemaUrl, PG_URL } from '../support/db.ts';
import { PrivateRedis } from '../support/redis.ts';
import { eventually, startTestService, type TestService } from '../support/service.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

type Inbox = { json: { messages: { text: string; deliveryId?: string }[] } };

describe('outages: nothing accepted is lost, processing resumes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  it('Redis killed: /healthz says so, messages are kept in the database and answered once Redis is back', async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    const svc: TestService = await startTestService({
      env: { REDIS_URL: redis.url, SANDBOX_REPLY_TIMEOUT_MS: '1500' },
    });
    cleanups.push(() => svc.stop());

    const before = await svc.post('/api/sandbox/messages', { id: 'r-1', user: 'u-redis', text: '你好' });
    expect(before.json.replies).toHaveLength(1);

    await redis.kill();
    const health = await eventually(
      () => svc.get('/healthz'),
      (h) => h.status === 503,
      5000,
    );
    expect(health.status).toBe(503);
    expect(health.json.checks).toMatchObject({ redis: { status: 'down' }, database: { status: 'up' } });

    const during = await svc.post('/api/sandbox/messages', { id: 'r-2', user: 'u-redis', text: '在吗 人呢' });
    expect(during.status).toBe(202);
    expect(during.json.status).toBe('accepted');
    const stored = await svc.db.sql.query<{ status: string }>(
      `SELECT status FROM "InboundDelivery" WHERE "platformMsgId" = 'r-2'`,
    );
    expect(stored).toEqual([{ status: 'received' }]);

    await redis.start(); // comes back empty: the queued job is gone, the relay must find the delivery
    const inbox = (await eventually(
      () => svc.get('/api/sandbox/inbox?user=u-redis') as Promise<Inbox>,
      (r) => r.json.messages.length >= 2,
      30_000,
    )) as Inbox;
    expect(inbox.json.messages).toHaveLength(2);
    expect(inbox.json.messages[1]?.deliveryId).toBe(during.json.deliveryId);
    expect((await svc.get('/healthz')).status).toBe(200);
  });

  it('PostgreSQL unreachable: /healthz says so, messages are accepted into Redis and stored + answered once it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432));
    await proxy.start();
    cleanups.push(() => proxy.close());
    const schema = freshSchemaUrl(PG_URL.replace(/:\d+\//, `:${proxy.port}/`));
    const svc = await startTestService({ env: { DATABASE_URL: schema.url, SANDBOX_REPLY_TIMEOUT_MS: '1500' } });
    cleanups.push(async () => {
      await svc.stop();
      await schema.drop();
    });

    const before = await svc.post('/api/sandbox/messages', { id: 'p-1', user: 'u-pg', text: '你好' });
    expect(before.json.replies).toHaveLength(1);

    proxy.cut();
    const health = await eventually(
      () => svc.get('/healthz'),
      (h) => h.status === 503,
      5000,
    );
    expect(health.json.checks).toMatchObject({ database: { status: 'down' }, redis: { status: 'up' } });

    const during = await svc.post('/api/sandbox/messages', { id: 'p-2', user: 'u-pg', text: '快递怎么还没到' });
    expect(during.status).toBe(202);
    expect(during.json.status).toBe('accepted');
    const retried = await svc.post('/api/sandbox/messages', { id: 'p-2', user: 'u-pg', text: '快递怎么还没到' });
    expect(retried.json.status).toBe('duplicate');

    await new Promise((r) => setTimeout(r, 1500)); // the worker fails and backs off meanwhile
    proxy.restore();
    const inbox = (await eventually(
      () => svc.get('/api/sandbox/inbox?user=u-pg').catch(() => ({ json: { messages: [] } })) as Promise<Inbox>,
      (r) => r.json.messages.length >= 2,
      30_000,
    )) as Inbox;
    expect(inbox.json.messages).toHaveLength(2);
    const rows = await svc.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "InboundDelivery" WHERE "platformMsgId" = 'p-2'`,
    );
    expect(rows[0]?.n).toBe(1);
    expect((await svc.get('/healthz')).status).toBe(200);
  });
});
