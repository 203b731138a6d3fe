import { describe, expect, it } from 'vitest';
import { formatReconReport, reconcile } from '../../../src/domain/orders/reconcile.ts';

const at = (s: string) => new Date(`2026-11-20T${s}+08:00`);

describe('reconcile (order no + payment time)', () => {
  const ours = [
    { orderNo: 'A1', paidAt: at('10:00:00'), amountCents: 19900, skus: ['X', 'Y'] },
    { orderNo: 'A2', paidAt: at('10:05:00'), amountCents: 5000 },
    { orderNo: 'A3', paidAt: at('10:06:00'), amountCents: 8800, buyerId: 'tb1' },
    { orderNo: 'OURS-ONLY', paidAt: at('10:07:00'), amountCents: 100 },
  ];
  const theirs = [
    { orderNo: 'A1', line: 2, paidAt: at('10:00:00.400'), amountCents: 19900, skus: ['Y', 'X'] },
    { orderNo: 'A2', line: 3, paidAt: at('10:05:01'), amountCents: 5000 },
    { orderNo: 'A3', line: 4, paidAt: at('10:06:00'), amountCents: 8900, buyerId: 'tb2' },
    { orderNo: 'THEIRS-ONLY', line: 5, paidAt: at('10:08:00'), amountCents: 300 },
  ];
  const report = reconcile(ours, theirs);

  it('matches rows equal to the second, in any SKU order', () => {
    expect(report.matched).toBe(1);
    expect(report.compared).toBe(4);
  });

  it('lists orders only on one side', () => {
    expect(report.onlyTheirs.map((r) => [r.orderNo, r.line])).toEqual([['THEIRS-ONLY', 5]]);
    expect(report.onlyOurs.map((r) => r.orderNo)).toEqual(['OURS-ONLY']);
  });

  it('lists field mismatches with both values', () => {
    expect(report.mismatches).toEqual([
      { orderNo: 'A2', line: 3, field: 'paidAt', ours: '2026-11-20T02:05:00Z', theirs: '2026-11-20T02:05:01Z' },
      { orderNo: 'A3', line: 4, field: 'amountCents', ours: '¥88.00', theirs: '¥89.00' },
      { orderNo: 'A3', line: 4, field: 'buyerId', ours: 'tb1', theirs: 'tb2' },
    ]);
  });

  it('reports in Chinese with counts and lines', () => {
    const text = formatReconReport(report);
    expect(text).toContain('平台导出 4 行，完全一致 1 单；仅平台有 1 单，仅我方有 1 单，字段不一致 3 处。');
    expect(text).toContain('第 5 行 THEIRS-ONLY');
    expect(text).toContain('A3 实付金额：我方 ¥88.00 / 平台 ¥89.00');
  });
});
