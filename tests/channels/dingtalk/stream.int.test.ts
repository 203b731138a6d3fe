import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DingtalkStream } from '../../../src/channels/dingtalk/stream.ts';
import { FakeDingtalkGateway, robotFixture } from '../../support/fake-dingtalk-gateway.ts';
import { memoryIngest } from './memory-ingest.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let gateway: FakeDingtalkGateway;
let store: ReturnType<typeof memoryIngest>;
let stream: DingtalkStream | undefined;

function startStream(opts: Partial<ConstructorParameters<typeof DingtalkStream>[0]> = {}) {
  stream = new DingtalkStream({
    clientId: gateway.clientId,
    clientSecret: gateway.clientSecret,
    gatewayUrl: gateway.gatewayUrl,
    ingest: store.ingest,
    backoff: { baseMs: 100, maxMs: 800 },
    ...opts,
  });
  return stream;
}

beforeEach(async () => {
  // The SDK logs "connect success" / socket errors with console.info/warn regardless of `debug`.
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  gateway = await FakeDingtalkGateway.start();
  store = memoryIngest();
});

afterEach(async () => {
  await stream?.stop(); // before closing the fake (platforms.md §9.3 hygiene)
  stream = undefined;
  await gateway.close();
  vi.restoreAllMocks();
});

describe('DingTalk stream receiver', () => {
  it('opens the connection with our credentials and a CALLBACK subscription for robot messages', async () => {
    await startStream().start();
    expect(stream?.connected).toBe(true);
    expect(gateway.openRequests[0]).toMatchObject({ clientId: gateway.clientId, clientSecret: gateway.clientSecret });
    expect(gateway.openRequests[0]?.subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
    ]);
  });

  it('acks a group @-message at once and hands it to ingest with the @ stripped', async () => {
    await startStream().start();
    const webhook = gateway.sessionWebhook('s1');
    const expires = Date.now() + 90 * 60_000;
    const ack = await gateway.pushRobotMessage(
      { ...robotFixture('robot-group-text'), sessionWebhook: webhook, sessionWebhookExpiredTime: expires },
      { messageId: 'frame-1' },
    );
    expect(ack).toMatchObject({ code: 200, headers: { messageId: 'frame-1' }, data: '{"response":null}' });
    await store.waitForCalls(1);
    expect(store.accepted()[0]).toMatchObject({
      channel: 'dingtalk',
      platformMsgId: 'msgGroup0001',
      userRef: 'staff001',
      role: 'staff',
      chatId: 'cidGroupAftersales01',
      text: '查 SO20260101001 到哪了',
      replyContext: {
        sessionWebhook: webhook,
        sessionWebhookExpiredTime: expires,
        conversationId: 'cidGroupAftersales01',
        robotCode: 'dingrobotcode01',
      },
    });
  });

  it('hands a 1:1 message to ingest without a chat id', async () => {
    await startStream().start();
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1);
    const [msg] = store.accepted();
    expect(msg?.text).toBe('我的工单 #1024 现在什么状态？');
    expect(msg?.userRef).toBe('staff002');
    expect(msg?.chatId).toBeUndefined();
  });

  it('acks a re-delivered msgId again and ingest sees it as a duplicate', async () => {
    await startStream().start();
    const payload = robotFixture('robot-single-text');
    const first = await gateway.pushRobotMessage(payload, { messageId: 'frame-a' });
    const second = await gateway.pushRobotMessage(payload, { messageId: 'frame-b' });
    expect([first.headers.messageId, second.headers.messageId]).toEqual(['frame-a', 'frame-b']);
    await store.waitForCalls(2);
    expect(store.calls.map((c) => c.result.status)).toEqual(['accepted', 'duplicate']);
    expect(store.accepted()).toHaveLength(1);
  });

  it('turns an ack button click on the card topic into 收到 #<ticketId>', async () => {
    await startStream().start();
    await gateway.pushCardCallback({
      userId: 'manager007',
      spaceType: 'IM_GROUP',
      spaceId: 'cidManagers',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['ack:1024:2'], params: {} } }),
    });
    await store.waitForCalls(1);
    expect(store.accepted()[0]).toMatchObject({ text: '收到 #1024', userRef: 'manager007', chatId: 'cidManagers' });
  });

  it('answers the gateway ping with the same opaque', async () => {
    await startStream().start();
    const echo = await gateway.ping('opaque-42');
    expect(echo.code).toBe(200);
    expect(JSON.parse(echo.data ?? '{}')).toEqual({ opaque: 'opaque-42' });
  });

  it('survives malformed frames on the same connection and loses nothing after them', async () => {
    await startStream().start();
    gateway.pushRaw('{not json');
    gateway.pushRaw(JSON.stringify({ type: 'CALLBACK', data: '{}' }));
    gateway.pushRaw(JSON.stringify([1, 2, 3]));
    // A well-formed frame whose robot payload is garbage: acked, nothing ingested.
    const garbage = await gateway.pushCallback('/v1.0/im/bot/messages/get', '{"msgId":', { messageId: 'bad-data' });
    expect(garbage.code).toBe(200);
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1);
    expect(store.accepted().map((m) => m.platformMsgId)).toEqual(['msgSingle0001']);
    expect(stream?.stats.badFrames).toBe(3);
    expect(gateway.wsConnections).toBe(1);
  });

  it('acks before ingest finishes, however slow the store is', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = memoryIngest();
    await startStream({
      ingest: async (m) => {
        await gate;
        return slow.ingest(m);
      },
    }).start();
    const t0 = Date.now();
    const ack = await gateway.pushRobotMessage(robotFixture('robot-single-text'), { messageId: 'slow-1' });
    expect(ack.headers.messageId).toBe('slow-1');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(slow.calls).toHaveLength(0);
    release();
    await slow.waitForCalls(1);
  });

  it('retries ingest when the store fails briefly, after having acked', async () => {
    await startStream().start();
    store.failNext(2);
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1, 5000);
    expect(store.accepted()[0]?.platformMsgId).toBe('msgSingle0001');
  });
});

describe('DingTalk stream connection loop', () => {
  it('reconnects with a new ticket when the gateway kills the socket, and messages flow again', async () => {
    await startStream().start();
    gateway.dropConnections();
    await gateway.waitFor(() => gateway.wsConnections === 2 && gateway.openSockets === 1);
    expect(gateway.connectionAttempts).toBe(2);
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1);
    expect(store.accepted()).toHaveLength(1);
  });

  it('reconnects at once on SYSTEM disconnect instead of waiting for the server to close', async () => {
    await startStream().start();
    const t0 = Date.now();
    gateway.announceDisconnect();
    await gateway.waitFor(() => gateway.wsConnections === 2 && gateway.openSockets === 1);
    expect(Date.now() - t0).toBeLessThan(2000); // DingTalk itself closes only after ~10 s
    await gateway.pushRobotMessage(robotFixture('robot-group-text'));
    await store.waitForCalls(1);
  });

  it('starts the backoff over after a connection that lived long enough', async () => {
    await startStream({ backoff: { baseMs: 600, maxMs: 4800 }, stableMs: 100 }).start();
    for (let n = 2; n <= 4; n++) {
      await sleep(150); // the current connection is now "stable"
      const t0 = Date.now();
      gateway.announceDisconnect();
      await gateway.waitFor(() => gateway.wsConnections === n && gateway.openSockets === 1);
      // Each waits 300–600 ms; without the reset the third would wait 1200–2400 ms.
      expect(Date.now() - t0).toBeLessThan(1000);
    }
  });

  it('backs off while the endpoint refuses connections (the 2.1.5 storm made 31 attempts in 5 s)', async () => {
    gateway.gatewayMode = 'refuse';
    await startStream().start();
    await sleep(3000);
    const attempts = gateway.connectionAttempts;
    // Delays 50–100, 100–200, 200–400, then 400–800 ms: 6 to 10 attempts in 3 s.
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBeLessThanOrEqual(11);
    expect(stream?.stats.attempts).toBe(attempts);
  });

  it('backs off when every connection is dropped right after opening', async () => {
    gateway.wsMode = 'drop';
    await startStream().start();
    await sleep(3000);
    expect(gateway.wsConnections).toBeGreaterThanOrEqual(3);
    expect(gateway.connectionAttempts).toBeLessThanOrEqual(11);
    gateway.wsMode = 'ok';
    await gateway.waitFor(() => gateway.openSockets === 1, 3000);
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1);
  });

  it('after stop(), makes no connection attempt at all, with a reconnect pending', async () => {
    gateway.gatewayMode = 'http500';
    await startStream().start();
    await sleep(500);
    await stream?.stop();
    const after = gateway.connectionAttempts;
    await sleep(3000);
    expect(gateway.connectionAttempts).toBe(after);
  });

  it('after stop(), closes the socket and never reconnects, leaving no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await startStream({ heartbeatMs: 200 }).start();
    await stream?.stop();
    await gateway.waitFor(() => gateway.openSockets === 0);
    await sleep(3000);
    expect(gateway.connectionAttempts).toBe(1);
    expect(gateway.openSockets).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('replaces a zombie connection that stops answering pings', async () => {
    await startStream({ heartbeatMs: 150 }).start();
    gateway.freezeConnections();
    await gateway.waitFor(() => gateway.wsConnections === 2, 3000);
    await gateway.waitFor(() => stream?.connected === true, 3000);
    await gateway.pushRobotMessage(robotFixture('robot-single-text'));
    await store.waitForCalls(1);
  });
});
