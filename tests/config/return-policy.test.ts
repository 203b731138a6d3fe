import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReturnPolicy } from '../../src/config/return-policy.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { zh } from '../../src/i18n/zh.ts';

const write = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'policy-')), 'return-policy.json');
  writeFileSync(file, content);
  return file;
};

describe('the return policy the bot quotes', () => {
  it('ships a complete default that reads as one short answer', async () => {
    const policy = await loadReturnPolicy();
    const text = zh.returnPolicy(policy);
    expect(text).toContain(`签收后 ${policy.windowDays} 天内`);
    expect(text).toContain(policy.address.address);
    expect(text).toContain(policy.address.phone);
    expect(text).toContain('运费险');
  });

  it("a shop's own file replaces it", async () => {
    const own = await loadReturnPolicy(
      write(
        JSON.stringify({
          version: 1,
          windowDays: 15,
          conditions: '吊牌完好',
          address: { recipient: '李仓管', phone: '021-12345678', address: '上海市嘉定区某路 9 号' },
          shipping: { ourFault: '我们承担', noReason: '您承担' },
          refund: '验货后 24 小时内退款',
        }),
      ),
    );
    expect(zh.returnPolicy(own)).toContain('签收后 15 天内可申请无理由退换：吊牌完好。');
    expect(zh.returnAddress(own)).toContain('上海市嘉定区某路 9 号，李仓管 收');
  });

  it('a broken or incomplete file stops start-up with a coded error that says what is wrong', async () => {
    await expect(loadReturnPolicy(write('{ not json'))).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid });
    const missing = loadReturnPolicy(write(JSON.stringify({ version: 1, windowDays: 7 })));
    await expect(missing).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid });
    await expect(missing).rejects.toThrow(/退货政策文件 .* 无法使用：.*address/);
    await expect(loadReturnPolicy('/nonexistent/policy.json')).rejects.toThrow(/退货政策文件/);
  });
});
