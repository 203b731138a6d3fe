import { describe, expect, it } from 'vitest';
import { cardToText, combineUpdates, markdownToText } from '../../../src/channels/outbound/plain-text.ts';
import { byteLength, splitUtf8, truncateUtf8 } from '../../../src/channels/outbound/split-text.ts';
import { ackTextFromEventKey } from '../../../src/channels/wecom/dispatch.ts';
import { appBodies } from '../../../src/channels/wecom/send-app.ts';

describe('splitUtf8 (WeCom limits are bytes: a Chinese character is 3)', () => {
  it('keeps a text that fits as is', () => {
    expect(splitUtf8('你好', 6)).toEqual(['你好']);
  });

  it('682 Chinese characters (2046 B) fit in 2048; 683 do not', () => {
    expect(splitUtf8('退'.repeat(682), 2048)).toHaveLength(1);
    const parts = splitUtf8('退'.repeat(683), 2048);
    expect(parts.map(byteLength)).toEqual([2046, 3]);
  });

  it('cuts at line breaks when lines fit, keeping order', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `第 ${i} 行：订单状态已更新为“已发货”`);
    const parts = splitUtf8(lines.join('\n'), 200);
    expect(parts.every((p) => byteLength(p) <= 200)).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    expect(parts.every((p) => p.startsWith('第 '))).toBe(true);
  });

  it('never splits a character or an emoji surrogate pair', () => {
    const text = '🙂中'.repeat(100);
    const parts = splitUtf8(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => !p.includes('\uFFFD') && byteLength(p) <= 10)).toBe(true);
  });

  it('truncateUtf8 ends with the note and respects the byte cap', () => {
    const cut = truncateUtf8('物流'.repeat(1000), 2048, '…（已截断）');
    expect(byteLength(cut)).toBeLessThanOrEqual(2048);
    expect(cut.endsWith('…（已截断）')).toBe(true);
  });
});

describe('plain-text renderings', () => {
  it('markdown → text keeps words and link targets', () => {
    expect(
      markdownToText('## 标题\n> 引用\n**加粗** 与 `代码`\n<font color="warning">超时</font> [详情](https://a.cn)'),
    ).toBe('标题\n引用\n加粗 与 代码\n超时 详情（https://a.cn）');
  });

  it('a card without buttons to click tells how to acknowledge by text', () => {
    expect(cardToText({ title: '升级提醒', body: '工单 #T1 超时', buttons: [{ id: 'ack:T1:2', label: '收到' }] })).toBe(
      '【升级提醒】\n工单 #T1 超时\n\n回复「收到 #T1」= 收到',
    );
  });

  it('combineUpdates: one header, every update, oldest dropped when too long', () => {
    expect(combineUpdates(['仓库已拣货', '已打包'], 2048)).toBe('【进展汇总】共 2 条更新\n\n仓库已拣货\n\n已打包');
    const many = Array.from({ length: 200 }, (_, i) => `第 ${i} 条进展：仍在处理中`);
    const text = combineUpdates(many, 2048);
    expect(byteLength(text)).toBeLessThanOrEqual(2048);
    expect(text).toContain('第 199 条进展');
    expect(text).toMatch(/较早的 \d+ 条已省略/);
  });

  it('ack event keys become the text a person would type', () => {
    expect(ackTextFromEventKey('ack:T42:2')).toBe('收到 #T42');
    expect(ackTextFromEventKey('ack:clx9ab_12')).toBe('收到 #clx9ab_12');
    expect(ackTextFromEventKey('vote:1')).toBeUndefined();
    expect(ackTextFromEventKey('ack:T1:2; DROP')).toBeUndefined();
  });
});

describe('app message bodies', () => {
  const base = { channel: 'wecom' as const, target: { userRef: 'u' }, kind: 'push' as const, dedupeKey: 'k1' };

  it('markdown is sent as markdown only when members can see it', () => {
    const message = { ...base, text: '超时', markdown: '**超时**' };
    expect(appBodies({ appMarkdown: true }, message)).toEqual([
      { msgtype: 'markdown', markdown: { content: '**超时**' } },
    ]);
    expect(appBodies({ appMarkdown: false }, message)).toEqual([{ msgtype: 'text', text: { content: '超时' } }]);
  });

  it('a card gets a stable task_id from the dedupe key, clipped title and buttons', () => {
    const card = {
      title: '一个非常非常非常非常非常非常非常非常长的升级提醒标题（紧急）',
      body: '短',
      buttons: [{ id: 'ack:T1:1', label: '收到并立即处理这个工单' }],
    };
    const [first] = appBodies({ appMarkdown: true }, { ...base, text: '短', card });
    const again = appBodies({ appMarkdown: true }, { ...base, text: '短', card })[0];
    expect(first).toEqual(again);
    expect(first).toMatchObject({
      msgtype: 'template_card',
      template_card: { task_id: expect.stringMatching(/^card-[0-9a-f]{40}$/) },
    });
    const tc = first && 'template_card' in first ? first.template_card : undefined;
    expect([...(tc?.main_title.title ?? '')]).toHaveLength(26);
    expect(tc?.main_title.title.endsWith('提醒标…')).toBe(true);
    expect(tc?.button_list[0]).toEqual({ text: '收到并立即处理这个…', style: 1, key: 'ack:T1:1' });
  });
});
