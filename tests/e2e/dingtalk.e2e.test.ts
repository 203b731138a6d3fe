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

  it('a complaint reaches a DingTalk manager as an ActionCard; the manager acknowledges with 收到 #id', async () => {
    const admin = await svc.db.prisma.staff.create({
      data: {
        name: '王经理',
        role: 'manager',
        identities: { create: { platform: 'dingtalk', externalId: 'mgrDing01', kind: 'staff' } },
      },
    });
    expect(admin.id).toBeTruthy();
    const complaint = await svc.post('/api/sandbox/messages', { user: 'c-ding', text: '再拖我就找媒体曝光你们' });
    const id = Number(/#(\d+)/.exec(complaint.json.replies[0].text)?.[1]);
    const cards = await eventually(
      async () => gateway.sentTo('batchSend').filter((s) => JSON.stringify(s.body).includes('mgrDing01')),
      (c) => c.length > 0,
      15_000,
    );
    expect(JSON.stringify(cards[0]?.body)).toContain('sampleActionCard');
    expect(JSON.stringify(cards[0]?.msgParam)).toContain(`收到 #${id}`);

    const ack = {
      ...robotFixture('robot-single-text'),
      msgId: `msgAck${id}`,
      senderStaffId: 'mgrDing01',
      text: { content: `收到 #${id}` },
      sessionWebhook: gateway.sessionWebhook('m-ack'),
      sessionWebhookExpiredTime: Date.now() + 3_600_000,
    };
    await gateway.pushRobotMessage(ack);
    const pending = await eventually(
      () => svc.db.prisma.escalation.count({ where: { ticketId: id, status: 'pending' } }),
      (n) => n === 0,
      15_000,
    );
    expect(pending).toBe(0);
  });

  it('stops cleanly: after shutdown the SDK makes no further connection attempts', async () => {
    await svc.stop();
    const attempts = gateway.connectionAttempts;
    await new Promise((r) => setTimeout(r, 2500));
    expect(gateway.connectionAttempts).toBe(attempts);
  });
});
