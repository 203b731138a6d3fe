import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DingtalkApiClient, isSessionExpired } from '../../../src/channels/dingtalk/api-client.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { FakeDingtalkGateway } from '../../support/fake-dingtalk-gateway.ts';
import { freePort, REDIS_URL } from '../../support/redis.ts';

let gateway: FakeDingtalkGateway;
let redis: Redis;
let prefix: string;

function client(overrides: Partial<ConstructorParameters<typeof DingtalkApiClient>[0]> = {}) {
  return new DingtalkApiClient({
    redis,
    keyPrefix: prefix,
    appKey: gateway.clientId,
    appSecret: gateway.clientSecret,
    robotCode: 'dingrobotcode01',
    baseUrl: gateway.baseUrl,
    baseDelayMs: 10,
    ...overrides,
  });
}
const text = (content: string) => ({ msgKey: 'sampleText', msgParam: { content } });

beforeEach(async () => {
  gateway = await FakeDingtalkGateway.start();
  redis = new Redis(REDIS_URL);
  prefix = `test-dt-${randomUUID()}:`;
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await gateway.close();
});

describe('DingTalk access token', () => {
  it('is fetched once and shared through Redis by two clients (two processes)', async () => {
    const a = client();
    const b = client();
    await Promise.all([
      a.batchSendToUsers(['staff001'], text('一')),
      b.batchSendToUsers(['staff002'], text('二')),
      a.sendToGroup('cidGroup', text('三')),
      b.sendToGroup('cidGroup', text('四')),
    ]);
    expect(gateway.tokenCalls).toBe(1);
    expect(gateway.sentTo('batchSend')).toHaveLength(2);
    const ttl = await redis.ttl(`${prefix}dingtalk:token:${gateway.clientId}`);
    expect(ttl).toBeGreaterThan(7200 - 300 - 5);
    expect(ttl).toBeLessThanOrEqual(7200 - 300); // refreshed 5 minutes before DingTalk's expireIn
  });

  it('is fetched again after its cached lifetime ends', async () => {
    gateway.tokenExpireIn = 2; // short-lived: kept for half its life (1 s)
    const a = client();
    await a.sendToGroup('cidGroup', text('一'));
    await new Promise((r) => setTimeout(r, 1200));
    await a.sendToGroup('cidGroup', text('二'));
    expect(gateway.tokenCalls).toBe(2);
    expect(gateway.sentTo('groupSend').map((s) => s.msgParam?.content)).toEqual(['一', '二']);
  });

  it('is dropped and fetched once more when DingTalk answers 401, and the message still goes out', async () => {
    const a = client();
    await a.accessToken();
    gateway.expireTokens();
    const result = await a.batchSendToUsers(['manager007'], text('工单 #1024 已超时'));
    expect(result.processQueryKey).toMatch(/^pqk-/);
    expect(gateway.tokenCalls).toBe(2);
    expect(gateway.hits.batchSend).toBe(2);
    expect(gateway.sentTo('batchSend')[0]?.msgParam).toEqual({ content: '工单 #1024 已超时' });
  });

  it('rejects bad credentials with a coded error that never contains the secret', async () => {
    const a = client({ appSecret: 'wrong-secret-value' });
    const err = await a.sendToGroup('cidGroup', text('x')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformApiError, details: { api: 'accessToken', status: 400 } });
    expect(JSON.stringify(err) + String(err)).not.toContain('wrong-secret-value');
    expect(gateway.hits.token).toBe(1); // a 4xx is not retried
  });
});

describe('DingTalk robot APIs', () => {
  it('sends batchSend with robotCode, userIds, msgKey and msgParam as a JSON string', async () => {
    await client().batchSendToUsers(['manager007'], {
      msgKey: 'sampleMarkdown',
      msgParam: { title: '升级', text: '- 工单 #1024' },
    });
    const [sent] = gateway.sentTo('batchSend');
    expect(sent?.body).toMatchObject({
      robotCode: 'dingrobotcode01',
      userIds: ['manager007'],
      msgKey: 'sampleMarkdown',
    });
    expect(typeof sent?.body.msgParam).toBe('string');
    expect(sent?.msgParam).toEqual({ title: '升级', text: '- 工单 #1024' });
  });

  it('does not retry a 400 business error', async () => {
    const a = client();
    await a.accessToken();
    gateway.failNext('groupSend', 400, { code: 'robot.not.in.group', message: '机器人不在群内' }, 2);
    const err = await a.sendToGroup('cidGroup', text('x')).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformApiError,
      details: { status: 400, code: 'robot.not.in.group', retryable: false },
    });
    expect(gateway.hits.groupSend).toBe(1);
  });

  it('retries 5xx with backoff and sends exactly once', async () => {
    const a = client();
    gateway.failNext('groupSend', 503, {}, 2);
    await a.sendToGroup('cidGroup', text('您的退款已到账'));
    expect(gateway.hits.groupSend).toBe(3);
    expect(gateway.sentTo('groupSend').map((s) => s.msgParam?.content)).toEqual(['您的退款已到账']);
  });

  it('gives up after the retries with a retryable error', async () => {
    const a = client({ retries: 1 });
    gateway.failNext('batchSend', 502, {}, 5);
    const err = await a.batchSendToUsers(['u1'], text('x')).catch((e: unknown) => e);
    expect(err).toMatchObject({ details: { status: 502, retryable: true } });
    expect(gateway.hits.batchSend).toBe(2);
  });

  it('reports network failures without leaking the request', async () => {
    const a = client({ baseUrl: `http://127.0.0.1:${await freePort()}`, retries: 1 });
    const err = await a.accessToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformApiError, details: { code: 'ECONNREFUSED', retryable: true } });
    expect(JSON.stringify(err) + String(err)).not.toContain(gateway.clientSecret);
  });
});

describe('DingTalk sessionWebhook', () => {
  it('posts text, markdown and actionCard bodies to the webhook', async () => {
    const a = client();
    const url = gateway.sessionWebhook('s1');
    await a.replyViaSessionWebhook(url, { msgtype: 'text', text: { content: '已为您查询' } });
    await a.replyViaSessionWebhook(url, { msgtype: 'markdown', markdown: { title: '物流', text: '- 运输中' } });
    const btns = [{ title: '我来处理', actionURL: 'dtmd://dingtalkclient/sendMessage?content=x' }];
    await a.replyViaSessionWebhook(url, {
      msgtype: 'actionCard',
      actionCard: { title: '升级', text: '工单 #1', btnOrientation: '0', btns },
    });
    expect(gateway.sentTo('webhook').map((s) => s.body.msgtype)).toEqual(['text', 'markdown', 'actionCard']);
    expect(gateway.sentTo('webhook')[0]?.body).toEqual({ msgtype: 'text', text: { content: '已为您查询' } });
    expect(gateway.tokenCalls).toBe(0);
  });

  it('reports an expired session (300001) distinctly', async () => {
    gateway.expireSession('old');
    const err = await client()
      .replyViaSessionWebhook(gateway.sessionWebhook('old'), { msgtype: 'text', text: { content: 'x' } })
      .catch((e: unknown) => e);
    expect(isSessionExpired(err)).toBe(true);
    expect(gateway.sentTo('webhook')).toHaveLength(0);
  });
});
