import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadQuickReplies } from '../../src/config/quick-replies.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { expandQuickReply } from '../../src/domain/shop/quick-replies.ts';

const write = (content: unknown) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'quick-')), 'quick-replies.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
};
const ADDRESS = { 退货地址: '杭州市余杭区文一西路 1 号，售后仓 收，电话 0571-88880000' };

describe('quick replies (快捷话术)', () => {
  it('ships the demo shop’s replies, the return address filled in from the policy', async () => {
    const replies = await loadQuickReplies(undefined, ADDRESS);
    expect(replies.length).toBeGreaterThanOrEqual(5);
    const address = replies.find((r) => r.name === '退货地址');
    expect(address?.text).toContain('杭州市余杭区文一西路 1 号，售后仓 收');
    expect(replies.every((r) => !/[{}]/u.test(r.text))).toBe(true);
  });

  it('a file with an unknown placeholder or two replies of one name is refused, saying which', async () => {
    const unknown = write({ version: 1, replies: [{ name: '地址', text: '寄到 {仓库地址}' }] });
    await expect(loadQuickReplies(unknown, ADDRESS)).rejects.toMatchObject({
      code: ErrorCode.ConfigInvalid,
      message: expect.stringContaining('未知的占位符 {仓库地址}（可用：{退货地址}）'),
    });
    const twice = write({
      version: 1,
      replies: [
        { name: '致歉', text: '抱歉' },
        { name: '致歉', text: '对不起' },
      ],
    });
    await expect(loadQuickReplies(twice, ADDRESS)).rejects.toMatchObject({
      message: expect.stringContaining('话术名字不能重复'),
    });
  });

  it('回复 #12 /名字, /2, 话术2 or 话术 名字 pick one; words after it are added; a plain reply is none', () => {
    const replies = [
      { name: '致歉', text: '非常抱歉。' },
      { name: '拍照', text: '请拍照发来。' },
    ];
    expect(expandQuickReply(replies, '/拍照')).toEqual({ text: '请拍照发来。' });
    expect(expandQuickReply(replies, '／致歉 明天发出')).toEqual({ text: '非常抱歉。 明天发出' });
    expect(expandQuickReply(replies, '/2')).toEqual({ text: '请拍照发来。' });
    expect(expandQuickReply(replies, '话术1')).toEqual({ text: '非常抱歉。' });
    expect(expandQuickReply(replies, '话术 拍照 谢谢')).toEqual({ text: '请拍照发来。 谢谢' });
    expect(expandQuickReply(replies, '/补发')).toEqual({ unknown: '「补发」' });
    expect(expandQuickReply(replies, '话术9')).toEqual({ unknown: '第 9 条' });
    expect(expandQuickReply(replies, '您好，已经补发了')).toBeUndefined();
  });
});
