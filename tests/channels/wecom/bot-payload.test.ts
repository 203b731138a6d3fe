import { describe, expect, it } from 'vitest';
import { parseBotMessage, stripMention } from '../../../src/channels/wecom/bot-payload.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { botTextJson } from '../../support/fake-wecom-server.ts';

describe('智能机器人 payloads', () => {
  it('a group @-mention: sender, chat, response_url and the text without the mention', () => {
    const json = botTextJson({
      msgId: 'm1',
      from: 'zhangsan',
      chatId: 'wrGROUP',
      content: '@售后助手 查 SO123',
      responseUrl: 'https://x/r',
    });
    expect(parseBotMessage(json)).toEqual({
      type: 'text',
      msgId: 'm1',
      fromUser: 'zhangsan',
      chatId: 'wrGROUP',
      chatType: 'group',
      content: '查 SO123',
      responseUrl: 'https://x/r',
      createTime: undefined,
    });
  });

  it('a bare 64-bit numeric msgid is kept exact (JSON.parse would round it)', () => {
    const json = '{"msgid":4561255354251345929,"from":{"userid":"u"},"msgtype":"text","text":{"content":"hi"}}';
    expect(parseBotMessage(json)).toMatchObject({ msgId: '4561255354251345929' });
  });

  it('mixed messages keep their text items in order', () => {
    const json = JSON.stringify({
      msgid: 'm2',
      from: { userid: 'u' },
      msgtype: 'mixed',
      mixed: {
        msg_item: [
          { msgtype: 'text', text: { content: '@助手 看下' } },
          { msgtype: 'image' },
          { msgtype: 'text', text: { content: '这个单' } },
        ],
      },
    });
    expect(parseBotMessage(json)).toMatchObject({ type: 'text', content: '看下\n这个单' });
  });

  it('a card click becomes a card_event with its key', () => {
    const json = JSON.stringify({
      msgid: 'm3',
      from: { userid: 'mgr' },
      msgtype: 'event',
      event: { eventtype: 'template_card_event', template_card_event: { event_key: 'ack:T9:1', task_id: 't' } },
    });
    expect(parseBotMessage(json)).toMatchObject({ type: 'card_event', eventKey: 'ack:T9:1', fromUser: 'mgr' });
  });

  it.each([
    ['not JSON', 'nope', /JSON/],
    ['no from', '{"msgid":"1","msgtype":"text","text":{"content":"x"}}', /from/],
    ['text without content', '{"msgid":"1","from":{"userid":"u"},"msgtype":"text"}', /text.content/],
  ])('%s → MalformedBody', (_name, json, message) => {
    expect(() => parseBotMessage(json)).toThrow(
      expect.objectContaining({ code: ErrorCode.MalformedBody, message: expect.stringMatching(message) }),
    );
  });

  it('stripMention: leading mentions, or the named bot anywhere', () => {
    expect(stripMention('@售后助手 @李四 退款到哪了')).toBe('退款到哪了');
    expect(stripMention('请 @售后 助手 查一下', '售后 助手')).toBe('请 查一下');
    expect(stripMention('没有提及')).toBe('没有提及');
  });
});
