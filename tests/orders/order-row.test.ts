import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/orders/fields.ts';
import { toLogisticsInput } from '../../src/orders/logistics-row.ts';
import { toOrderInput } from '../../src/orders/order-row.ts';

const row = {
  order_no: 'SO20261120000001',
  source: '天猫',
  status: '已发货',
  buyer_name: '张三',
  phone: '138 1234 5678',
  address: '浙江省杭州市西湖区文三路100号',
  amount: '199.00',
  paid_at: '2026-11-20 10:02:33',
  shipped_at: '2026-11-21 09:00',
  carrier: '顺丰',
  tracking_no: 'SF1234567890123',
  items: '[{"sku":"A221","name":"卫衣","qty":1,"price":"199"}]',
};

describe('order rows', () => {
  it('normalises Chinese names, China-time timestamps, money and phones', () => {
    const r = toOrderInput(row);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      source: 'tmall',
      status: 'shipped',
      carrier: 'sf',
      phone: '13812345678',
      phoneLast4: '5678',
      amountCents: 19900,
      paidAt: new Date('2026-11-20T02:02:33Z'),
      statusAt: new Date('2026-11-21T01:00:00Z'),
      items: [{ sku: 'A221', name: '卫衣', qty: 1, priceCents: 19900 }],
    });
    expect(r.value.history.map((h) => h.status)).toEqual(['paid', 'shipped']);
  });

  it('explains every problem of a bad row in Chinese', () => {
    const r = toOrderInput({ ...row, order_no: '', status: '在路上', phone: '123', amount: 'abc', paid_at: '昨天' });
    expect(r).toEqual({
      ok: false,
      errors: [
        'order_no：缺少订单号',
        'status：订单状态「在路上」无效，可选：pending_payment / paid / approved / picked / shipped / signed / cancelled / closed / refunded',
        'phone：手机号格式不正确（应为 11 位手机号，或带区号的座机）',
        'amount：实付金额不是有效金额（单位元，最多两位小数，例：199.00）',
        'paid_at：支付时间不是有效时间（例：2026-11-20 10:02:33）',
      ],
    });
  });

  it('counts, nested items and history, and wrong JSON types are explained in Chinese too', () => {
    const r = toOrderInput({
      ...row,
      address_change_count: '三次',
      buyer_name: { first: '三' },
      items: '[{"sku":"A","name":"卫衣","qty":0},{"name":"裤子","qty":"2件"}]',
      status_history: '[{"status":"paid"}]',
    });
    expect(r.ok ? [] : r.errors).toEqual([
      'buyer_name：买家姓名必须是文本',
      'address_change_count：地址修改次数必须是 0 到 1000 之间的整数',
      'items.0.qty：商品数量必须是 1 到 100000 之间的整数',
      'items.1.sku：商品缺少 sku',
      'items.1.qty：商品数量必须是 1 到 100000 之间的整数',
      'status_history.0.at：状态记录缺少时间',
    ]);
    // JSONL and the API send numbers where CSV has digits: the same order either way.
    const fromJson = toOrderInput({ ...row, phone: 13812345678, buyer_id: 4401, address_change_count: 2 });
    expect(fromJson.ok && fromJson.value).toMatchObject({
      phone: '13812345678',
      buyerPlatformId: '4401',
      addressChangeCount: 2,
    });
  });

  it('puts status columns given out of order into time order', () => {
    const r = toOrderInput({
      ...row,
      paid_at: '2026-11-20 10:02:33',
      approved_at: '2026-11-20 09:00:00',
      picked_at: '2026-11-19 08:00',
    });
    expect(r.ok && r.value.history.map((h) => h.status)).toEqual(['picked', 'approved', 'paid', 'shipped']);
  });

  it('rejects duplicate SKUs and a tracking number without a carrier', () => {
    const dup = toOrderInput({ ...row, items: '[{"sku":"A","name":"x","qty":1},{"sku":"A","name":"y","qty":2}]' });
    const noCarrier = toOrderInput({ ...row, carrier: '' });
    expect(dup.ok ? [] : dup.errors).toEqual(['商品 SKU 重复：A（同一 SKU 请合并为一行并累加数量）']);
    expect(noCarrier.ok ? [] : noCarrier.errors).toEqual(['有运单号 tracking_no 时必须填写快递公司 carrier']);
  });

  it('hashes the same order the same way whatever its spelling', () => {
    const a = toOrderInput(row);
    const b = toOrderInput({ ...row, amount: 199, source: 'tmall', status: 'shipped', phone: '+86-138-1234-5678' });
    const c = toOrderInput({ ...row, amount: '199.01' });
    expect(a.ok && b.ok && a.value.contentHash === b.value.contentHash).toBe(true);
    expect(a.ok && c.ok && a.value.contentHash !== c.value.contentHash).toBe(true);
  });
});

describe('logistics rows', () => {
  it('a sign-off without a kind is stored as electronic (no proof)', () => {
    const r = toLogisticsInput({
      tracking_no: 'SF1',
      carrier: '顺丰',
      at: '2026-11-22 10:00',
      kind: 'signed',
      description: '已签收',
    });
    expect(r.ok && r.value).toMatchObject({ kind: 'signed', signoffKind: 'electronic', carrier: 'sf' });
  });

  it('a signoff kind implies a sign-off event', () => {
    const r = toLogisticsInput({
      tracking_no: 'SF1',
      carrier: 'sf',
      at: '2026-11-22T02:00:00Z',
      description: '丰巢',
      signoff_kind: '快递柜',
    });
    expect(r.ok && r.value).toMatchObject({
      kind: 'signed',
      signoffKind: 'locker',
      at: new Date('2026-11-22T02:00:00Z'),
    });
  });

  it('reports missing fields', () => {
    const r = toLogisticsInput({ tracking_no: 'SF1' });
    expect(r.ok ? [] : r.errors).toEqual(['carrier：缺少快递公司', 'at：缺少物流时间', 'description：缺少物流描述']);
  });
});

describe('time cells', () => {
  it('reads naive times as China time, to the millisecond', () => {
    expect(parseInstant('2026-11-20 10:02:33')?.toISOString()).toBe('2026-11-20T02:02:33.000Z');
    expect(parseInstant('2026/1/5 0:07')?.toISOString()).toBe('2026-01-04T16:07:00.000Z');
    expect(parseInstant('2026-11-20T10:02:33.5')?.toISOString()).toBe('2026-11-20T02:02:33.500Z');
    expect(parseInstant('2026-11-20 10:02:33.25')?.toISOString()).toBe('2026-11-20T02:02:33.250Z');
    expect(parseInstant('2026-11-20')?.toISOString()).toBe('2026-11-19T16:00:00.000Z');
    expect(parseInstant('2026-11-20T10:02:33')?.toISOString()).toBe('2026-11-20T02:02:33.000Z');
    expect(parseInstant('2026/11/20 10:02:33')?.toISOString()).toBe('2026-11-20T02:02:33.000Z');
    expect(parseInstant('2028-02-29 12:00')?.toISOString()).toBe('2028-02-29T04:00:00.000Z');
  });

  it('rejects dates that do not exist instead of rolling them over', () => {
    for (const bad of [
      '2026-02-30 10:00',
      '2026-02-29',
      '2026-13-01',
      '2026-04-31',
      '2026-11-20 24:00',
      '2026-02-30 10:00:00',
      '2026-11-20 10:02:60',
      '2026-1a-20 10:02:33',
      '2026-11-20 10:60',
    ]) {
      expect(parseInstant(bad), bad).toBeUndefined();
    }
  });

  it('keeps zoned ISO times and epoch numbers as they are', () => {
    expect(parseInstant('2026-11-20T10:02:33Z')?.toISOString()).toBe('2026-11-20T10:02:33.000Z');
    expect(parseInstant('2026-11-20T10:02:33+08:00')?.toISOString()).toBe('2026-11-20T02:02:33.000Z');
    expect(parseInstant('1795000000')?.getTime()).toBe(1_795_000_000_000);
    expect(parseInstant(1_795_000_000_123)?.getTime()).toBe(1_795_000_000_123);
  });
});
