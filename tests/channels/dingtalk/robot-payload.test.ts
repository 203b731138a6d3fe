import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ackText,
  cardClickToInbound,
  RobotMessageSchema,
  toInbound,
} from '../../../src/channels/dingtalk/robot-payload.ts';

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, '../../fixtures/dingtalk', `${name}.json`), 'utf8');
const robot = (name: string, patch: Record<string, unknown> = {}) =>
  RobotMessageSchema.parse({ ...JSON.parse(fixture(name)), ...patch });

describe('toInbound', () => {
  it('maps a group @-message: staff role, group chat id, leading space trimmed, reply context', () => {
    const msg = toInbound(robot('robot-group-text', { sessionWebhook: 'https://x/s', sessionWebhookExpiredTime: 5 }));
    expect(msg).toEqual({
      channel: 'dingtalk',
      platformMsgId: 'msgGroup0001',
      userRef: 'staff001',
      role: 'staff',
      chatId: 'cidGroupAftersales01',
      text: '查 SO20260101001 到哪了',
      displayName: '张三',
      sentAt: new Date(1767225600000),
      replyContext: {
        sessionWebhook: 'https://x/s',
        sessionWebhookExpiredTime: 5,
        conversationId: 'cidGroupAftersales01',
        conversationType: '2',
        robotCode: 'dingrobotcode01',
        senderStaffId: 'staff001',
      },
    });
  });

  it('maps a 1:1 message without a chat id', () => {
    const msg = toInbound(robot('robot-single-text'));
    expect(msg?.chatId).toBeUndefined();
    expect(msg?.text).toBe('我的工单 #1024 现在什么状态？');
    expect(msg?.replyContext?.conversationType).toBe('1');
  });

  it('strips @-mentions left in front of the text', () => {
    const msg = toInbound(robot('robot-group-text', { text: { content: ' @售后机器人 @王五  退款进度' } }));
    expect(msg?.text).toBe('退款进度');
  });

  it('treats a sender without staff id as a customer', () => {
    const msg = toInbound(robot('robot-group-text', { senderStaffId: undefined }));
    expect(msg?.role).toBe('customer');
    expect(msg?.userRef).toBe('$:LWCP_v1:$senderDingId');
  });

  it('reads richText and voice recognition; a picture or an untranscribed voice note comes as media; skips empty text', () => {
    const rich = robot('robot-single-text', {
      msgtype: 'richText',
      content: { richText: [{ text: '看下这个' }, { downloadCode: 'x', type: 'picture' }, { text: '订单' }] },
    });
    expect(toInbound(rich)?.text).toBe('看下这个订单');
    const voice = robot('robot-single-text', { msgtype: 'audio', content: { recognition: '催一下发货' } });
    expect(toInbound(voice)?.text).toBe('催一下发货');
    const picture = toInbound(robot('robot-single-text', { msgtype: 'picture', content: { downloadCode: 'x' } }));
    expect(picture).toMatchObject({ text: '[图片]', media: { kind: 'image', ref: 'x' } });
    const untranscribed = toInbound(robot('robot-single-text', { msgtype: 'audio', content: { downloadCode: 'v' } }));
    expect(untranscribed).toMatchObject({ text: '[语音]', media: { kind: 'voice', ref: 'v' } });
    expect(toInbound(robot('robot-single-text', { msgtype: 'markdown', content: {} }))).toBeUndefined();
    expect(toInbound(robot('robot-group-text', { text: { content: '  ' } }))).toBeUndefined();
  });
});

describe('card clicks', () => {
  it('turns an ack action id into 收到 #<ticketId>, deduped by payload hash', () => {
    const raw = fixture('card-callback-ack');
    const a = cardClickToInbound(raw);
    expect(a).toMatchObject({ channel: 'dingtalk', userRef: 'manager007', role: 'staff', text: '收到 #1024' });
    expect(a?.chatId).toBeUndefined();
    expect(cardClickToInbound(raw)?.platformMsgId).toBe(a?.platformMsgId);
  });

  it('ignores other actions and garbage', () => {
    const other = JSON.stringify({
      userId: 'u',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['like'] } }),
    });
    expect(cardClickToInbound(other)).toBeUndefined();
    expect(cardClickToInbound('{not json')).toBeUndefined();
    expect(ackText('ack:1024:2')).toBe('收到 #1024');
    expect(ackText('ack:../../x')).toBeUndefined();
  });
});
