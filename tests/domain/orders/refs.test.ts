import { describe, expect, it } from 'vitest';
import { extractOrderRefs } from '../../../src/domain/orders/refs.ts';

describe('extractOrderRefs', () => {
  it.each([
    ['SO20261120000001 尾号1234', { refs: ['SO20261120000001'], suffix: '1234' }],
    ['我的订单 so20261120000001 到哪了', { refs: ['SO20261120000001'] }],
    ['查 SF1234567890123', { refs: ['SF1234567890123'] }],
    ['261120-123456789012345 手机后四位 5678', { refs: ['261120-123456789012345'], suffix: '5678' }],
    ['１２３４', { refs: [], suffix: '1234' }],
    ['手机 13812345678 的订单', { refs: [], phone: '13812345678', suffix: '5678' }],
    ['2026年买的', { refs: [] }],
    ['我的订单到哪了', { refs: [] }],
  ])('%s', (text, expected) => {
    expect(extractOrderRefs(text)).toEqual(expected);
  });

  it('takes the NLU entities first', () => {
    const r = extractOrderRefs('这个 731234567890 呢', [{ type: 'trackingNo', value: '731234567890' }]);
    expect(r.refs).toEqual(['731234567890']);
  });
});
