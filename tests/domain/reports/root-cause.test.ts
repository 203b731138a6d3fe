import { describe, expect, it } from 'vitest';
import { formatRootCause, type ProblemTicket, rootCauseMap } from '../../../src/domain/reports/root-cause.ts';

const CUP = { sku: 'CUP-01', name: '陶瓷马克杯 350ml' };
const PLATE = { sku: 'PLT-02', name: '骨瓷餐盘 8寸' };
const TEA = { sku: 'TEA-03', name: '明前龙井 250g 礼盒' };
/** A ticket opened at `hour` o'clock in China on 2026-11-25. */
const at = (hour: number) => new Date(Date.UTC(2026, 10, 25, hour - 8 < 0 ? hour + 16 : hour - 8));
const ticket = (problem: string, hour: number, items: ProblemTicket['items'], summary = '坏了'): ProblemTicket => ({
  problem,
  summary,
  createdAt: at(hour),
  items,
});

describe('the weekly root-cause map: SKU × problem × time of day', () => {
  it('blames the goods the words name, the only goods, or every item when the words name none', () => {
    const map = rootCauseMap([
      ticket('damaged', 21, [CUP, PLATE], '杯子碎了 马克杯把手断了'),
      ticket('damaged', 22, [CUP]),
      ticket('quality', 10, [CUP, PLATE], '东西有问题'),
      ticket('wrong_item', 15, [TEA]),
      ticket('damaged', 3, []),
      // Guessed onto the tea order, though the words are about clothes: no goods to blame.
      { ...ticket('quality', 9, [TEA], '衣服洗了一次就掉色'), orderGuessed: true },
    ]);
    expect(map.tickets).toBe(6);
    expect(map.unattributed).toBe(2);
    expect(map.rows.map((r) => [r.sku, r.total])).toEqual([
      ['CUP-01', 3],
      ['PLT-02', 1],
      ['TEA-03', 1],
    ]);
    expect(map.rows[0]?.byProblem).toEqual({ damaged: 2, quality: 1 });
    // 21:00 and 22:00 fall in 20–24 点, 10:00 in 8–12 点.
    expect(map.rows[0]?.byBand).toEqual([0, 0, 1, 0, 0, 2]);
    expect(map.byBand).toEqual([1, 0, 2, 1, 0, 2]);
  });

  it('reads as the TOP3 goods with what goes wrong and when, then the whole day', () => {
    const map = rootCauseMap([
      ticket('damaged', 21, [CUP]),
      ticket('damaged', 22, [CUP]),
      ticket('quality', 10, [CUP]),
      ticket('wrong_item', 15, [TEA]),
      ticket('damaged', 3, []),
    ]);
    expect(formatRootCause(map, { label: '11/24 09:00 至 12/1 09:00' }).split('\n')).toEqual([
      '售后根因周报（11/24 09:00 至 12/1 09:00）：商品问题工单 5 张',
      'TOP3 问题商品：',
      '1. 陶瓷马克杯 350ml（CUP-01）3 张：商品破损 2、质量问题 1；多在 20–24 点',
      '2. 明前龙井 250g 礼盒（TEA-03）1 张：发错货 1',
      '按时段：0–4 点 1 · 4–8 点 0 · 8–12 点 1 · 12–16 点 1 · 16–20 点 0 · 20–24 点 2',
      '另有 1 张对不上具体商品（没有订单，或订单是按最近一单推测的），未计入商品。',
      '一单多件、顾客没说是哪件的，这张工单算到每件商品上。',
    ]);
  });

  it('a quiet week says so', () => {
    expect(formatRootCause(rootCauseMap([]), { label: '本周' })).toBe(
      '售后根因周报（本周）：这一周没有商品问题工单（破损、质量、发错、少件、安全）。',
    );
  });

  it('a week whose tickets blame no goods has no empty TOP3 heading', () => {
    const map = rootCauseMap([
      ticket('damaged', 3, []),
      { ...ticket('quality', 9, [TEA], '衣服掉色'), orderGuessed: true },
    ]);
    expect(formatRootCause(map, { label: '本周' }).split('\n').slice(0, 3)).toEqual([
      '售后根因周报（本周）：商品问题工单 2 张',
      '按时段：0–4 点 1 · 4–8 点 0 · 8–12 点 1 · 12–16 点 0 · 16–20 点 0 · 20–24 点 0',
      '另有 2 张对不上具体商品（没有订单，或订单是按最近一单推测的），未计入商品。',
    ]);
  });
});
