import { describe, expect, it } from 'vitest';
import { ANOTHER_ORDER, goodsScore, ordersNamedByGoods, ordersOfProducts } from '../../../src/domain/orders/goods.ts';

const order = (no: string, ...names: string[]) => ({ no, items: names.map((name) => ({ name })) });

describe('which order the goods in a message name', () => {
  const orders = [
    order('A', '儿童保温杯'),
    order('B', '婴儿纸尿裤 M码 84片', '湿巾'),
    order('C', '明前龙井 250g 礼盒'),
  ];

  it('picks the order whose goods the customer names, by any two characters of the name', () => {
    expect(ordersNamedByGoods('纸尿裤少了一包', orders).map((o) => o.no)).toEqual(['B']);
    expect(ordersNamedByGoods('湿巾漏发了', orders).map((o) => o.no)).toEqual(['B']);
    expect(ordersNamedByGoods('龙井的盒子压坏了', orders).map((o) => o.no)).toEqual(['C']);
  });

  it('names none for words of no product, or words every gift box shares (礼盒)', () => {
    expect(ordersNamedByGoods('东西少了一件', orders)).toEqual([]);
    expect(ordersNamedByGoods('礼盒压坏了', orders)).toEqual([]);
    expect(goodsScore('保温杯不保温', ['儿童保温杯'])).toBe(2); // 保温, 温杯
  });

  it('keeps every order that names the goods equally well, in the given order', () => {
    const two = [order('X', '保温杯 500ml'), order('Y', '儿童保温杯')];
    expect(ordersNamedByGoods('保温杯坏了', two).map((o) => o.no)).toEqual(['X', 'Y']);
  });

  it('"另一单" and its variants mean another order; "一单" alone does not', () => {
    for (const t of ['另一单也少了', '另外一个订单能改地址吗', '别的订单呢']) expect(ANOTHER_ORDER.test(t)).toBe(true);
    expect(ANOTHER_ORDER.test('这一单少了')).toBe(false);
  });
});

describe('which orders hold the kind of goods a message names', () => {
  const groups = [
    { value: '衣服', aliases: ['衣服', '卫衣', '外套'] },
    { value: '零食', aliases: ['零食', '坚果', '饼干'] },
    { value: '茶叶', aliases: ['茶叶', '龙井'] },
  ];
  const orders = [order('A', '男士纯棉连帽卫衣 黑色 L'), order('B', '每日坚果 750g'), order('C', '明前龙井 250g 礼盒')];
  const said = (value: string, word = value) => ({ value, said: word });
  const nos = (os: { no: string }[] | undefined) => os?.map((o) => o.no);

  it('by any word of the kind: 衣服 is the order of a 卫衣; 茶叶 the order of 龙井', () => {
    expect(nos(ordersOfProducts([said('衣服')], groups, orders))).toEqual(['A']);
    expect(nos(ordersOfProducts([said('茶叶')], groups, orders))).toEqual(['C']);
  });

  it('the very word first: 「坚果」 is the nuts, though 零食 would be any snack', () => {
    expect(nos(ordersOfProducts([said('零食', '坚果')], groups, orders))).toEqual(['B']);
  });

  it('none of the orders when none holds such goods; undefined when no goods are named (or only a gift)', () => {
    expect(ordersOfProducts([said('裤子')], groups, orders)).toEqual([]);
    expect(ordersOfProducts([], groups, orders)).toBeUndefined();
    expect(ordersOfProducts([said('赠品')], groups, orders)).toBeUndefined();
  });
});
