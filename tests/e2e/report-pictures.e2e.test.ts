import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDingtalkGateway } from '../support/fake-dingtalk-gateway.ts';
import { eventually } from '../support/service.ts';
import { startWecomService, type WecomTestService } from '../support/wecom-service.ts';

/** "HH:MM" in China now: the report time that makes today's report due at once. */
function chinaClock(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
}

const isPng = (bytes: Buffer | undefined) => bytes?.subarray(1, 4).toString() === 'PNG';

describe("the morning health report reaches the managers' groups on WeCom and DingTalk with its picture", () => {
  let gateway: FakeDingtalkGateway;
  let svc: WecomTestService;
  beforeAll(async () => {
    gateway = await FakeDingtalkGateway.start();
    svc = await startWecomService({
      env: {
        HEALTH_REPORT_AT: chinaClock(),
        DINGTALK_CLIENT_ID: gateway.clientId,
        DINGTALK_CLIENT_SECRET: gateway.clientSecret,
        DINGTALK_ROBOT_CODE: 'dingrobotcode01',
        DINGTALK_API_BASE: gateway.baseUrl,
        DINGTALK_OAPI_BASE: gateway.baseUrl,
        DINGTALK_GATEWAY_URL: gateway.gatewayUrl,
        DINGTALK_MANAGER_GROUP: 'cidManagers01',
      },
      managersGroup: true,
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await gateway?.close();
  });

  it('WeCom: the text, then the card as an image message with the md5 of its bytes — once', async () => {
    const managers = () => svc.fake.robotMessages.filter((m) => m.key === 'KEY-MGR');
    const sent = await eventually(
      async () => managers(),
      (m) => m.some((x) => x.msgtype === 'image'),
      20_000,
    );
    const text = sent.find((m) => m.msgtype !== 'image');
    expect(text?.content).toMatch(/^订单与售后健康日报（近 7 天/);
    const image = sent.find((m) => m.msgtype === 'image')?.image;
    expect(isPng(image?.bytes)).toBe(true);
    expect(sent.indexOf(text as (typeof sent)[number])).toBeLessThan(sent.findIndex((m) => m.msgtype === 'image'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(managers().filter((m) => m.msgtype === 'image')).toHaveLength(1);
  });

  it('DingTalk: the text to the group, then the uploaded card as sampleImageMsg — once', async () => {
    const toGroup = () => gateway.sentTo('groupSend').filter((s) => JSON.stringify(s.body).includes('cidManagers01'));
    const sent = await eventually(
      async () => toGroup(),
      (s) => s.some((x) => x.body.msgKey === 'sampleImageMsg'),
      20_000,
    );
    expect(JSON.stringify(sent[0]?.msgParam)).toContain('订单与售后健康日报');
    const picture = sent.find((s) => s.body.msgKey === 'sampleImageMsg');
    const upload = gateway.uploads.find((u) => u.mediaId === picture?.msgParam?.photoURL);
    expect(isPng(upload?.bytes)).toBe(true);
    expect(gateway.uploads).toHaveLength(1);
    expect(toGroup().filter((s) => s.body.msgKey === 'sampleImageMsg')).toHaveLength(1);
  });
});
