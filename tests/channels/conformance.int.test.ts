import { FakeDingtalkGateway, robotFixture } from '../support/fake-dingtalk-gateway.ts';
import { appXml, buildCallback } from '../support/fake-wecom-server.ts';
import { startTestService } from '../support/service.ts';
import { WECOM_APP as creds, startWecomService, type WecomCallback } from '../support/wecom-service.ts';
import { type ChannelHarness, describeChannelConformance } from './conformance-suite.ts';

type Reply = { status: number; json: { error?: { code?: string; message?: string } } };
const errOf = (r: Reply) => ({ status: r.status, code: r.json?.error?.code, message: r.json?.error?.message });

describeChannelConformance('sandbox', async () => {
  const svc = await startTestService();
  return {
    svc,
    deliver: async (id, text) => (await svc.post('/api/sandbox/messages', { id, user: `u-${id}`, text })).status,
    repliesFor: async (id) => (await svc.get(`/api/sandbox/inbox?user=u-${id}`)).json.messages.length,
    // The sandbox is a local test surface with no platform signature or nonce (documented in the README).
    oversized: async () => errOf(await svc.post('/api/sandbox/messages', { user: 'x', text: 'x'.repeat(300_000) })),
    malformed: async () => errOf(await svc.post('/api/sandbox/messages', '{"user": "x", "text": ')),
    stop: () => svc.stop(),
  };
});

/**
 * WeCom over its real callback endpoint. With `durableRedis` the service's Redis fsyncs every write, so the
 * callbacks take the callback inbox (Redis stream, drained by the worker) instead of PostgreSQL first.
 */
async function wecomHarness(opts: { durableRedis?: boolean } = {}): Promise<ChannelHarness> {
  const svc = await startWecomService(opts);
  const send = async (cb: WecomCallback): Promise<Reply> => {
    const { status, text } = await svc.postCallback(cb);
    return { status, json: text ? JSON.parse(text) : {} };
  };
  const msgId = (id: string) =>
    String(7_000_000_000 + [...id].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 1_000_000_000, 7));
  return {
    svc,
    deliver: async (id, text) =>
      (await send(buildCallback(creds, appXml.text({ from: `u${msgId(id)}`, content: text, msgId: msgId(id) }))))
        .status,
    repliesFor: async (id) => svc.fake.appMessages.filter((m) => m.touser === `u${msgId(id)}`).length,
    platformIdOf: msgId,
    badSignature: async () =>
      errOf(
        await send(
          buildCallback({ ...creds, token: 'forged' }, appXml.text({ from: 'x', content: 'hi', msgId: '42' })),
        ),
      ),
    replay: async () => {
      const cb = buildCallback(creds, appXml.text({ from: 'replayer', content: 'hi', msgId: '4242' }), {
        nonce: 'fixed-nonce-1',
      });
      const first = await send(cb);
      const second = await send(cb);
      return { first: first.status, second: second.status, code: second.json?.error?.code };
    },
    oversized: async () =>
      errOf(
        await send({
          url: '/wecom/callback?msg_signature=x&timestamp=1&nonce=1',
          body: `<xml>${'x'.repeat(300_000)}</xml>`,
          contentType: 'text/xml',
        }),
      ),
    malformed: async () => {
      const cb = buildCallback(creds, appXml.text({ from: 'x', content: 'hi', msgId: '43' }));
      return errOf(await send({ ...cb, body: cb.body.replace('<Encrypt>', '<Encrypt').slice(0, 60) }));
    },
    inbox: () => svc.inboxEntries(),
    stop: () => svc.stop(),
  };
}

describeChannelConformance('wecom', () => wecomHarness());
describeChannelConformance('wecom, durable Redis (callback inbox)', () => wecomHarness({ durableRedis: true }));

// DingTalk Stream has no per-request signature, nonce or body limit (the WebSocket is authenticated once
// at connect time); its malformed-frame handling is covered in tests/channels/dingtalk/stream.int.test.ts.
describeChannelConformance('dingtalk', async () => {
  const gateway = await FakeDingtalkGateway.start();
  const svc = await startTestService({
    env: {
      DINGTALK_CLIENT_ID: gateway.clientId,
      DINGTALK_CLIENT_SECRET: gateway.clientSecret,
      DINGTALK_ROBOT_CODE: 'dingrobotcode01',
      DINGTALK_API_BASE: gateway.baseUrl,
      DINGTALK_GATEWAY_URL: gateway.gatewayUrl,
    },
  });
  await gateway.waitFor(() => gateway.wsConnections > 0, 10_000);
  return {
    svc,
    deliver: async (id, text) => {
      const payload = {
        ...robotFixture('robot-single-text'),
        msgId: id,
        senderStaffId: `s-${id}`,
        text: { content: text },
        sessionWebhook: gateway.sessionWebhook(`sess-${id}`),
        sessionWebhookExpiredTime: Date.now() + 3_600_000,
      };
      const ack = await gateway.pushRobotMessage(payload);
      return ack.code;
    },
    repliesFor: async (id) => gateway.sentTo('webhook').filter((s) => s.session === `sess-${id}`).length,
    stop: async () => {
      await svc.stop();
      await gateway.close();
    },
  };
});
