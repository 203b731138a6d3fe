import { describe, expect, it } from 'vitest';
import { naturalCommand } from '../../src/app/tickets/commands.ts';

describe('what staff write in a group, as the ticket command it means', () => {
  it.each([
    ['@bot #12 我来处理', '接单 #12'],
    ['@bot 12号单我接了', '接单 #12'],
    ['12号工单交给我吧', '接单 #12'],
    ['@bot 帮我看下12号工单', '工单 #12'],
    ['@bot 看下工单12', '工单 #12'],
    ['@bot 12号', '工单 #12'],
    ['#12 什么情况', '工单 #12'],
    ['@bot 谁在处理 #12', '工单 #12'],
    ['#12 谁负责的', '工单 #12'],
    ['12号工单处理到哪一步了', '工单 #12'],
    ['#12 进展如何', '工单 #12'],
    ['@bot 12号工单处理好了', '解决 #12'],
    ['@bot 12号工单处理好了，已补发 顺丰SF1234567890', '解决 #12 已补发 顺丰SF1234567890'],
    ['#12 搞定了', '解决 #12'],
    ['@bot 12号关了', '关闭 #12'],
    ['@bot 12号工单回复顾客：请您稍等，马上处理吧', '回复 #12 请您稍等，马上处理吧'],
    ['#12 回复 好的呢', '回复 #12 好的呢'],
    ['@bot 12号等顾客回复 问一下尺码穿多大', '等待客户 #12 尺码穿多大'],
    ['12号先等客户', '等待客户 #12'],
    // The command itself comes out the same.
    ['回复 #12 您好，已经处理好了', '回复 #12 您好，已经处理好了'],
  ])('%s → %s', (text, command) => {
    expect(naturalCommand(text)).toBe(command);
  });

  it.each(['接单 #12', '转派 #12 客服小李', '收到 #12', '@bot 查 尾号1234', '@bot 12号能发货吗', '今日概况'])(
    'leaves "%s" as it is',
    (text) => {
      expect(naturalCommand(text)).toBeUndefined();
    },
  );
});
