import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/channels/channel.ts';
import { renderParts, toRobotTemplate, toWebhookMessage } from '../../../src/channels/dingtalk/messages.ts';

const base: OutboundMessage = {
  channel: 'dingtalk',
  target: { userRef: 'manager007' },
  kind: 'push',
  text: '工单 #1024 已超时',
  dedupeKey: 'k1',
};
const card = {
  title: '升级提醒',
  body: '工单 #1024 首次响应已超时 30 分钟',
  buttons: [
    { id: 'ack:1024:2', label: '我来处理' },
    { id: 'https://admin.example.com/t/1024', label: '查看工单' },
  ],
};

describe('renderParts', () => {
  it('turns an ack card into an action card whose button sends 收到 #<id>', () => {
    const [part] = renderParts({ ...base, card }, { maxBytes: 4000, group: false });
    expect(part?.kind).toBe('card');
    const tpl = part ? toRobotTemplate(part) : undefined;
    expect(tpl?.msgKey).toBe('sampleActionCard2');
    expect(tpl?.msgParam.actionTitle1).toBe('我来处理');
    expect(decodeURIComponent(tpl?.msgParam.actionURL1 ?? '')).toBe(
      'dtmd://dingtalkclient/sendMessage?content=收到 #1024',
    );
    expect(tpl?.msgParam.actionURL2).toBe('https://admin.example.com/t/1024');
    expect(tpl?.msgParam.text).toBe(card.body);
  });

  it('adds the typed fallback in groups, where the button message does not reach the robot', () => {
    const [part] = renderParts({ ...base, card }, { maxBytes: 4000, group: true });
    expect(part && 'text' in part ? part.text : '').toContain('请 @我 回复「收到 #1024」确认');
  });

  it('one button → sampleActionCard; webhook body is an actionCard with btns', () => {
    const one = { ...card, buttons: [{ id: 'ack:7', label: '收到' }] };
    const [part] = renderParts({ ...base, card: one }, { maxBytes: 4000, group: false });
    if (!part) throw new Error('no part');
    expect(toRobotTemplate(part).msgKey).toBe('sampleActionCard');
    expect(toWebhookMessage(part)).toMatchObject({ msgtype: 'actionCard', actionCard: { btns: [{ title: '收到' }] } });
  });

  it('answers to tap become buttons that send their words in a 1:1 chat; in a group the text lists them', () => {
    const choices = {
      head: '您的工单 #9 已处理完成。\n方便的话，请为这次处理打个分：',
      items: [
        { id: 'rate_9_good', label: '满意' },
        { id: 'rate_9_okay', label: '一般' },
        { id: 'rate_9_bad', label: '不满意' },
      ],
    };
    const text = `${choices.head}满意 / 一般 / 不满意`;
    const [part] = renderParts({ ...base, text, choices }, { maxBytes: 4000, group: false });
    if (!part) throw new Error('no part');
    const tpl = toRobotTemplate(part);
    expect(tpl.msgKey).toBe('sampleActionCard3');
    expect(tpl.msgParam.text).toBe(choices.head);
    expect([1, 2, 3].map((i) => decodeURIComponent(tpl.msgParam[`actionURL${i}`] ?? ''))).toEqual([
      'dtmd://dingtalkclient/sendMessage?content=满意',
      'dtmd://dingtalkclient/sendMessage?content=一般',
      'dtmd://dingtalkclient/sendMessage?content=不满意',
    ]);
    expect(renderParts({ ...base, text, choices }, { maxBytes: 4000, group: true })).toEqual([
      { kind: 'text', content: text },
    ]);
  });

  it('sends markdown as sampleMarkdown, but downgrades tables to plain text', () => {
    const md = renderParts({ ...base, markdown: '### 物流\n- 已揽收\n- 运输中' }, { maxBytes: 4000, group: false });
    expect(md.map((p) => p.kind)).toEqual(['markdown']);
    expect(md[0] ? toRobotTemplate(md[0]) : undefined).toEqual({
      msgKey: 'sampleMarkdown',
      msgParam: { title: '工单 #1024 已超时', text: '### 物流\n- 已揽收\n- 运输中' },
    });
    const table = renderParts({ ...base, markdown: '| 时间 | 状态 |\n|---|---|' }, { maxBytes: 4000, group: false });
    expect(table).toEqual([{ kind: 'text', content: '工单 #1024 已超时' }]);
  });
});
