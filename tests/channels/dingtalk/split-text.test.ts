import { describe, expect, it } from 'vitest';
import { splitByUtf8Bytes, utf8Bytes } from '../../../src/channels/dingtalk/split-text.ts';

describe('splitByUtf8Bytes', () => {
  it('keeps a short text whole', () => {
    expect(splitByUtf8Bytes('您好，工单已受理', 100)).toEqual(['您好，工单已受理']);
  });

  it('counts Chinese as 3 bytes and cuts at line breaks, keeping order', () => {
    const lines = ['第一行：订单已发货', '第二行：预计明天送达', '第三行：如有问题请联系客服'];
    const parts = splitByUtf8Bytes(lines.join('\n'), 70);
    expect(parts).toEqual([`${lines[0]}\n${lines[1]}`, lines[2]]);
    for (const p of parts) expect(utf8Bytes(p)).toBeLessThanOrEqual(70);
  });

  it('cuts a single over-long line between code points, never inside an emoji', () => {
    const line = '退款😀'.repeat(20);
    const parts = splitByUtf8Bytes(line, 16);
    expect(parts.join('')).toBe(line);
    for (const p of parts) {
      expect(utf8Bytes(p)).toBeLessThanOrEqual(16);
      expect(p).not.toMatch(/[\uD800-\uDBFF]$/);
    }
  });
});
