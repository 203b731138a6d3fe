import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WecomApiClient } from '../../../src/channels/wecom/api-client.ts';
import { WecomHttp } from '../../../src/channels/wecom/wecom-http.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { FakeWecomServer } from '../../support/fake-wecom-server.ts';
import { testRedis } from './helpers.ts';

let fake: FakeWecomServer;
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  fake = await new FakeWecomServer().start();
  ({ redis, prefix, cleanup } = await testRedis());
});
afterEach(async () => {
  await fake.stop();
  await cleanup();
});

/** A client as one api/worker process would build it: own HTTP agent, shared Redis. */
const client = (over: { secret?: string; timeoutMs?: number } = {}) =>
  new WecomApiClient({
    http: new WecomHttp({ baseUrl: fake.baseUrl, retries: 2, baseDelayMs: 5, timeoutMs: over.timeoutMs ?? 2000 }),
    redis,
    corpId: 'wwcorp',
    secret: over.secret ?? 'app-secret',
    tokenName: '1000002',
    agentId: 1000002,
    keyPrefix: prefix,
  });
const text = (content: string) => ({ msgtype: 'text' as const, text: { content } });

describe('access_token', () => {
  it('is fetched once and shared by two processes through Redis', async () => {
    await client().sendAppMessage('lisi', text('第一条'));
    await client().sendAppMessage('lisi', text('第二条'));
    expect(fake.tokenCalls).toBe(1);
    expect(fake.appMessages.map((m) => m.content)).toEqual(['第一条', '第二条']);
    // Kept until 5 minutes before WeCom's expires_in (7200 s), so it is refreshed early.
    const ttl = await redis.ttl(`${prefix}wecom:token:wwcorp:1000002`);
    expect(ttl).toBeGreaterThan(7200 - 300 - 5);
    expect(ttl).toBeLessThanOrEqual(7200 - 300);
  });

  it('a burst from five processes with no cached token still calls gettoken once', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => client().sendAppMessage('lisi', text(`并发 ${i}`))));
    expect(fake.tokenCalls).toBe(1);
    expect(fake.appMessages).toHaveLength(5);
  });

  it('42001 (expired early) → exactly one extra gettoken, the message is delivered once', async () => {
    const a = client();
    await a.sendAppMessage('lisi', text('之前'));
    fake.expireTokens();
    await a.sendAppMessage('lisi', text('过期后'));
    expect(fake.tokenCalls).toBe(2);
    expect(fake.appMessages.map((m) => m.content)).toEqual(['之前', '过期后']);
  });

  it('two processes hitting 42001 together refresh once', async () => {
    await client().sendAppMessage('lisi', text('预热'));
    fake.expireTokens();
    await Promise.all([client().sendAppMessage('lisi', text('甲')), client().sendAppMessage('lisi', text('乙'))]);
    expect(fake.tokenCalls).toBe(2);
  });

  it('a wrong secret → PlatformApiError 40001, and the secret appears nowhere in the error', async () => {
    const err = await client({ secret: 'wrong-secret-XYZ' })
      .sendAppMessage('lisi', text('x'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformApiError, details: { api: 'gettoken', errcode: 40001 } });
    expect(JSON.stringify(err)).not.toContain('wrong-secret-XYZ');
    expect(String((err as Error).message)).not.toContain('wrong-secret-XYZ');
  });
});

describe('retries', () => {
  it('no retry on a business errcode (81013): one request, coded error', async () => {
    await client().sendAppMessage('lisi', text('预热'));
    const before = fake.received.length;
    fake.script('message/send', { errcode: 81013, errmsg: 'user & party & tag all invalid' });
    await expect(client().sendAppMessage('nobody', text('x'))).rejects.toMatchObject({
      code: ErrorCode.PlatformApiError,
      details: { errcode: 81013, transient: false },
    });
    expect(fake.received.length - before).toBe(1);
  });

  it('HTTP 502 twice, then success → delivered once after 3 attempts', async () => {
    await client().sendAppMessage('lisi', text('预热'));
    fake.script('message/send', { status: 502 }, { status: 502 });
    await client().sendAppMessage('lisi', text('重试后送达'));
    expect(fake.appMessages.map((m) => m.content)).toEqual(['预热', '重试后送达']);
    expect(fake.received.filter((r) => r.path === '/cgi-bin/message/send')).toHaveLength(4);
  });

  it('errcode -1 (系统繁忙) is retried', async () => {
    fake.script('kf/service_state/get', { errcode: -1 });
    await expect(client().kfGetServiceState({ openKfId: 'wk1', externalUserId: 'wm1' })).resolves.toEqual({
      serviceState: 0,
      servicerUserId: undefined,
    });
  });

  it('HTTP 502 on every attempt → a transient PlatformApiError after 3 tries', async () => {
    fake.script('gettoken', { status: 502 }, { status: 502 }, { status: 502 });
    await expect(client().sendAppMessage('lisi', text('x'))).rejects.toMatchObject({
      code: ErrorCode.PlatformApiError,
      details: { transient: true, status: 502 },
    });
    expect(fake.received.filter((r) => r.path === '/cgi-bin/gettoken')).toHaveLength(3);
  });

  it('a hung socket times out and is retried', async () => {
    await client().sendAppMessage('lisi', text('预热'));
    fake.script('message/send', { hang: true });
    await client({ timeoutMs: 300 }).sendAppMessage('lisi', text('超时后重试'));
    expect(fake.appMessages.map((m) => m.content)).toEqual(['预热', '超时后重试']);
  });

  it('a refused connection → transient error naming the API, without the URL', async () => {
    const dead = new WecomApiClient({
      http: new WecomHttp({ baseUrl: 'http://127.0.0.1:1', retries: 1, baseDelayMs: 1 }),
      redis,
      corpId: 'wwcorp',
      secret: 'app-secret',
      tokenName: 'dead',
      keyPrefix: prefix,
    });
    const err = await dead.kfGetServiceState({ openKfId: 'wk', externalUserId: 'wm' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformApiError, details: { api: 'gettoken', transient: true } });
    expect(JSON.stringify(err)).not.toContain('app-secret');
  });

  it('45009 from a group robot → RateLimited', async () => {
    fake.script('webhook/send', { errcode: 45009, errmsg: 'api freq out of limit' });
    await expect(client().sendGroupRobot(fake.webhookUrl('k1'), text('x'))).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });
});

describe('kf APIs', () => {
  it('service_state/trans hands the customer to a person; after that kf/send_msg answers 95018', async () => {
    const c = client({ secret: 'kf-secret' });
    fake.customerWrites('wk1', 'wmA', '我要人工');
    await c.kfTransServiceState({
      openKfId: 'wk1',
      externalUserId: 'wmA',
      serviceState: 3,
      servicerUserId: 'zhangsan',
    });
    expect(await c.kfGetServiceState({ openKfId: 'wk1', externalUserId: 'wmA' })).toMatchObject({ serviceState: 3 });
    await expect(
      c.kfSendMsg({ touser: 'wmA', openKfId: 'wk1', body: { msgtype: 'text', text: { content: 'x' } } }),
    ).rejects.toMatchObject({ details: { errcode: 95018 } });
  });

  it('sync_msg pages carry next_cursor / has_more and string msgids', async () => {
    const c = client({ secret: 'kf-secret' });
    const token = fake.customerWrites('wk1', 'wmA', '一');
    fake.customerWrites('wk1', 'wmA', '二');
    const page = await c.kfSyncMsg({ openKfId: 'wk1', token, limit: 1 });
    expect(page).toMatchObject({
      nextCursor: 'c1',
      hasMore: true,
      messages: [{ msgid: expect.any(String), text: { content: '一' } }],
    });
  });
});
