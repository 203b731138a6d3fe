import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDingtalkGateway, robotFixture } from '../support/fake-dingtalk-gateway.ts';
import { eventually, startTestService, type TestService } from '../support/service.ts';

describe('DingTalk through the running service (real dingtalk-stream SDK, fake gateway, real PostgreSQL + Redis)', () => {
  let gateway: FakeDingtalkGateway;
  let svc: TestService;
  beforeAll(async () => {
    gateway = await FakeDingtalkGateway.start();
    svc = await startTestService({
      env: {
        DINGTALK_CLIENT_ID: gateway.clientId,
        DINGTALK_CLIENT_SECRET: gateway.clientSecret,
        DINGTALK_ROBOT_CODE: 'dingrobotcode01',
        DINGTALK_API_BASE: gateway.baseUrl,
        DINGTALK_GATEWAY_URL: gateway.gatewayUrl,
      },
    });
    await gateway.waitFor(() => gateway.wsConnections > 0, 10_000);
  });
  afterAll(async () => {
    await svc?.stop();
    await gateway?.close();
  });

  it('a group @-message is acked, answered once through the session webhook, and a re-delivery changes nothing', async () => {
    const webhook = gateway.sessionWebhook('g-e2e');
    const payload = {
      ...robotFixture('robot-group-text'),
      msgId: 'msgE2E001',
      sessionWebhook: webhook,
      sessionWebhookExpiredTime: Date.now() + 3_600_000,
    };
    const ack = await gateway.pushRobotMessage(payload, { messageId: 'frame-e2e-1' });
    expect(ack.code).toBe(200);
    const replies = await eventually(
      async () => gateway.sentTo('webhook').filter((s) => s.session === 'g-e2e'),
      (r) => r.length >= 1,
      15_000,
    );
    expect(replies).toHaveLength(1);

    await gateway.pushRobotMessage(payload, { messageId: 'frame-e2e-2' }); // the platform re-delivers
    await new Promise((r) => setTimeout(r, 1500));
    expect(gateway.sentTo('webhook').filter((s) => s.session === 'g-e2e')).toHaveLength(1);
    const rows = await svc.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "InboundDelivery" WHERE "platformMsgId" = 'msgE2E001'`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('stops cleanly: after shutdown the SDK makes no further connection attempts', async () => {
    await svc.stop();
    const attempts = gateway.connectionAttempts;
    await new Promise((r) => setTimeout(r, 2500));
    expect(gateway.connectionAttempts).toBe(attempts);
  });
});
