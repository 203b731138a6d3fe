import { describe, expect, it } from 'vitest';
import { createEntityExtractor } from '../../src/nlu/entities.ts';
import { foldText } from '../../src/nlu/normalize.ts';
import { realSpec } from '../support/nlu.ts';

const spec = realSpec();
const extract = createEntityExtractor(spec);
const found = (text: string) =>
  extract(foldText(text, spec.t2s)).map((e) => ({ type: e.type, value: e.value, source: e.source }));

describe('entity extraction', () => {
  it.each([
    ['顺丰 SF1234567890123 到哪了', 'SF1234567890123', 'sf'],
    ['sf123456789012 小写也认', 'SF123456789012', 'sf'],
    ['京东 JDVA12345678901', 'JDVA12345678901', 'jd'],
    ['快递单号 731234567890', '731234567890', 'zto'],
    ['中通75391028463715送到的', '75391028463715', 'zto'],
    ['中通 785120394857261 物流不动', '785120394857261', 'zto'],
    ['圆通 YT1234567890123', 'YT1234567890123', 'yto'],
    ['韵达 4312345678901', '4312345678901', 'yunda'],
    ['申通 7712345678901', '7712345678901', 'sto'],
    ['韵达单号462093847561029到哪了', '462093847561029', 'yunda'],
    ['申通 773209485716204', '773209485716204', 'sto'],
    ['极兔 JT1234567890123', 'JT1234567890123', 'jtexpress'],
    ['EMS 1123456789012', '1123456789012', 'ems'],
    ['国际件 EA123456789CN', 'EA123456789CN', 'ems'],
  ])('tracking number in %s', (text, value, carrier) => {
    expect(found(text)).toContainEqual({ type: 'trackingNo', value, source: carrier });
  });

  it.each([
    ['淘宝订单 123456789012345678', '123456789012345678', 'tmall'],
    ['天猫 1234567890123456789', '1234567890123456789', 'tmall'],
    ['京东订单 250123456789', '250123456789', 'jd'],
    ['订单号 731234567890', '731234567890', 'jd'],
    ['拼多多 230101-123456789012345', '230101-123456789012345', 'pdd'],
    ['抖音 6912345678901234567', '6912345678901234567', 'douyin'],
    ['@bot 查一下 SO20260101123456', 'SO20260101123456', 'own'],
  ])('order number in %s', (text, value, source) => {
    expect(found(text)).toContainEqual({ type: 'orderNo', value, source });
  });

  it('does not read the 15-digit tail of a 拼多多 order, or an 18-digit 淘宝 order, as a tracking number', () => {
    for (const text of [
      '拼多多 241106-773209485716204',
      '拼多多订单 230101-462093847561029',
      '淘宝订单 785120394857261234',
    ]) {
      expect(found(text)).not.toContainEqual(expect.objectContaining({ type: 'trackingNo' }));
      expect(found(text)).toContainEqual(expect.objectContaining({ type: 'orderNo' }));
    }
  });

  it('reads phones, with or without separators', () => {
    expect(found('我电话13812345678')).toEqual([{ type: 'phone', value: '13812345678', source: undefined }]);
    expect(found('号码 138 1234 5678')).toEqual([{ type: 'phone', value: '13812345678', source: undefined }]);
  });

  it('finds no phone inside a longer digit run', () => {
    expect(found('编号123138123456789')).toEqual([]);
    expect(found('13812345678901')).not.toContainEqual(expect.objectContaining({ type: 'phone' }));
  });

  it.each([
    ['退我29.9元', '29.9'],
    ['给我¥1,299.00', '1299'],
    ['差价５０块', '50'],
    ['赔五十块', '50'],
    ['两百元', '200'],
  ])('amount in %s', (text, value) => {
    expect(found(text)).toEqual([{ type: 'amount', value, source: undefined }]);
  });

  it('does not read 一块 (one piece) as money', () => {
    expect(found('少了一块蛋糕')).toEqual([]);
  });

  it('finds sizes, colours, products and the carrier named in words', () => {
    expect(found('要XL码的黑色T恤 顺丰发')).toEqual([
      { type: 'size', value: 'XL', source: undefined },
      { type: 'colour', value: '黑色', source: undefined },
      { type: 'product', value: '衣服', source: undefined },
      { type: 'carrier', value: '顺丰', source: 'sf' },
    ]);
  });

  it('手机 before 尾号 / 号 / 号码 is the customer’s phone, not goods; 手机屏幕 and 手机壳 are goods', () => {
    expect(found('SO20261120000001 手机尾号5678').map((e) => e.type)).toEqual(['orderNo']);
    expect(found('我的手机号码变了').filter((e) => e.type === 'product')).toEqual([]);
    expect(found('手机屏幕碎了')).toEqual([{ type: 'product', value: '手机', source: undefined }]);
    expect(found('买的手机壳发错了')).toEqual([{ type: 'product', value: '手机壳', source: undefined }]);
  });

  it('reads 11.20 / 11/25 as dates before 下单, 收到 … (not 3.5折), 175/92A as a size, CUP-01 and 货号 codes as SKUs', () => {
    const of = (text: string) => found(text).map((e) => `${e.type}=${e.value}`);
    expect(of('11.20下的单 11/25收到')).toEqual(['date=11.20', 'date=11/25']);
    expect(of('打3.5折 1.5米的')).toEqual([]);
    expect(of('我要175/92A的')).toEqual(['size=175/92A']);
    expect(of('CUP-01 碎了')).toEqual(['sku=CUP-01']);
    expect(of('货号 hx2023-09 发错了')).toEqual(['sku=HX2023-09']);
    expect(of('Type-C接口坏了')).toEqual([]);
    expect(of('241109-630918274455102 没到')).toEqual(['orderNo=241109-630918274455102']);
  });

  it('reports offsets in the original message, full-width digits included', () => {
    const text = '单号ＳＦ１２３４５６７８９０１２３';
    const [e] = extract(foldText(text, spec.t2s));
    expect(e).toMatchObject({ type: 'trackingNo', value: 'SF1234567890123', start: 2, end: text.length });
  });
});
