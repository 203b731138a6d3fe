import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../../../src/channels/channel.ts';
import { createDingtalkChannel } from '../../../src/channels/dingtalk/index.ts';
import { utf8Bytes } from '../../../src/channels/dingtalk/split-text.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { robotFixture } from '../../support/fake-dingtalk-gateway.ts';
import { closeDingtalk, type DingtalkHarness, openDingtalk, receive as receiveVia, replyTo } from './harness.ts';

let h: DingtalkHarness;
let gateway: DingtalkHarness['gateway'];
let redis: DingtalkHarness['redis'];
let prefix: string;
let channel: DingtalkHarness['channel'];

const MIN = 60_000;

beforeEach(async () => {
  h = await openDingtalk();
  ({ gateway, redis, prefix, channel } = h);
});
afterEach(async () => closeDingtalk(h));

const receive = (payload: Record<string, unknown>): Promise<InboundMessage> => receiveVia(h, payload);

describe('DingTalk channel send', () => {
  it('answers a group @-message through its sessionWebhook while it is valid', async () => {
    const inbound = await receive({
      ...robotFixture('robot-group-text'),
      sessionWebhook: gateway.sessionWebhook('g1'),
      sessionWebhookExpiredTime: Date.now() + 90 * MIN,
    });
    const result = await channel.send(replyTo(inbound, '订单 SO20260101001 运输中，预计明天送达'));
    expect(result.status).toBe('sent');
    const [sent] = gateway.sentTo('webhook');
    expect(sent?.session).toBe('g1');
    expect(sent?.body).toEqual({ msgtype: 'text', text: { content: '订单 SO20260101001 运输中，预计明天送达' } });
    expect(gateway.sentTo('groupSend')).toHaveLength(0);
    expect(gateway.tokenCalls).toBe(0);
  });

  it('uses groupMessages/send once the webhook is expired (or within the safety margin)', async () => {
    const inbound = await receive({
      ...robotFixture('robot-group-text'),
      sessionWebhook: gateway.sessionWebhook('g2'),
      sessionWebhookExpiredTime: Date.now() + 30_000, // inside the 60 s margin
    });
    await channel.send(replyTo(inbound, '工单 #1024 已转仓库处理'));
    expect(gateway.sentTo('webhook')).toHaveLength(0);
    const [sent] = gateway.sentTo('groupSend');
    expect(sent?.body).toMatchObject({ openConversationId: 'cidGroupAftersales01', msgKey: 'sampleText' });
    expect(sent?.msgParam).toEqual({ content: '工单 #1024 已转仓库处理' });
  });

  it('uses oToMessages/batchSend for an expired 1:1 conversation', async () => {
    const inbound = await receive({
      ...robotFixture('robot-single-text'),
      sessionWebhook: gateway.sessionWebhook('p1'),
      sessionWebhookExpiredTime: Date.now() - MIN,
    });
    await channel.send(replyTo(inbound, '工单 #1024 处理中'));
    const [sent] = gateway.sentTo('batchSend');
    expect(sent?.body).toMatchObject({ userIds: ['staff002'], msgKey: 'sampleText', robotCode: 'dingrobotcode01' });
    expect(sent?.msgParam).toEqual({ content: '工单 #1024 处理中' });
  });

  it('falls back to the robot API when the webhook answers 300001 before its stated expiry', async () => {
    const inbound = await receive({
      ...robotFixture('robot-group-text'),
      sessionWebhook: gateway.sessionWebhook('gone'),
      sessionWebhookExpiredTime: Date.now() + 60 * MIN,
    });
    gateway.expireSession('gone');
    const result = await channel.send(replyTo(inbound, '已登记'));
    expect(result.status).toBe('sent');
    expect(gateway.sentTo('groupSend').map((s) => s.msgParam?.content)).toEqual(['已登记']);
  });

  it('pushes an escalation card to a manager as an action card whose button sends 收到 #<id>', async () => {
    await channel.send({
      channel: 'dingtalk',
      target: { userRef: 'manager007' },
      kind: 'alert',
      text: '工单 #1024 首次响应超时',
      card: {
        title: '升级提醒',
        body: '工单 #1024 首次响应超时 30 分钟',
        buttons: [{ id: 'ack:1024:2', label: '我来处理' }],
      },
      dedupeKey: 'esc-1024-2',
    });
    const [sent] = gateway.sentTo('batchSend');
    expect(sent?.body).toMatchObject({ userIds: ['manager007'], msgKey: 'sampleActionCard' });
    expect(sent?.msgParam).toMatchObject({ title: '升级提醒', singleTitle: '我来处理' });
    expect(decodeURIComponent(String(sent?.msgParam?.singleURL))).toBe(
      'dtmd://dingtalkclient/sendMessage?content=收到 #1024',
    );
    // The click comes back as the manager's own message in the robot chat:
    const back = await receive({
      ...robotFixture('robot-single-text'),
      msgId: 'click1',
      text: { content: '收到 #1024' },
    });
    expect(back.text).toBe('收到 #1024');
  });

  it('splits a long reply in order within the byte limit and never resends a part on retry', async () => {
    const small = createDingtalkChannel({
      clientId: gateway.clientId,
      clientSecret: gateway.clientSecret,
      robotCode: 'dingrobotcode01',
      redis,
      keyPrefix: prefix,
      apiBase: gateway.baseUrl,
      maxMessageBytes: 60,
      http: { baseDelayMs: 10 },
    });
    const lines = ['1. 已揽收 杭州转运中心', '2. 运输中 上海分拨中心', '3. 派送中 快递员王师傅', '4. 已签收 本人签收'];
    const message: OutboundMessage = {
      channel: 'dingtalk',
      target: { userRef: 'staff002' },
      kind: 'reply',
      text: lines.join('\n'),
      dedupeKey: 'long-1',
    };
    const first = await small.send(message);
    const texts = gateway.sentTo('batchSend').map((s) => String(s.msgParam?.content));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('\n')).toBe(message.text);
    for (const t of texts) expect(utf8Bytes(t)).toBeLessThanOrEqual(60);
    const again = await small.send(message);
    expect(gateway.sentTo('batchSend')).toHaveLength(texts.length);
    expect(again.platformIds).toEqual(first.platformIds);
  });

  it('throws a retryable error when DingTalk flow-controls the user, and fails a business error', async () => {
    gateway.flowControlled.add('busy-user');
    const push = (userRef: string): OutboundMessage => ({
      channel: 'dingtalk',
      target: { userRef },
      kind: 'push',
      text: '进度更新',
      dedupeKey: randomUUID(),
    });
    await expect(channel.send(push('busy-user'))).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    gateway.failNext('batchSend', 400, { code: 'invalidParameter.userIds', message: 'userIds 不合法' });
    const failed = await channel.send(push('bad-user'));
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('invalidParameter.userIds');
  });
});
