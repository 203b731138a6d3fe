import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubText } from '../../src/lib/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('masks mobile numbers anywhere in text but leaves longer digit runs (order numbers) alone', () => {
    expect(scrubText('客户 13812345678 催单')).toBe('客户 138****5678 催单');
    expect(scrubText('订单 2026110312345678901')).toBe('订单 2026110312345678901');
  });

  it('never writes secrets, full phone numbers or addresses', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', secretKeys: ['WECOM_SECRET'], destination });
    log.info(
      {
        WECOM_SECRET: 's3cr3t-value',
        order: { phone: '13900001111', address: '北京市朝阳区某某路 1 号' },
        note: '回拨 13900001111',
      },
      '联系 13900001111',
    );
    const out = lines.join('');
    expect(out).not.toContain('s3cr3t-value');
    expect(out).not.toContain('13900001111');
    expect(out).not.toContain('某某路');
    expect(out).toContain('139****1111');
  });
});
