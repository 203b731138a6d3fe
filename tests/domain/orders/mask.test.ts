import { describe, expect, it } from 'vitest';
import { maskAddress, maskContactsIn, maskName, maskPhone } from '../../../src/domain/orders/mask.ts';

describe('maskPhone', () => {
  it.each([
    ['13812341234', '138****1234'],
    ['+86 138-1234-1234', '138****1234'],
    ['8613812341234', '138****1234'],
    ['057188886666', '****6666'],
    ['12', '****'],
    ['', ''],
  ])('%s → %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});

describe('maskAddress keeps province, city and district only', () => {
  it.each([
    ['北京市朝阳区建国路88号', '北京市朝阳区****'],
    ['浙江省杭州市西湖区文三路100号阳光花园3栋201室', '浙江省杭州市西湖区****'],
    ['浙江省 杭州市 余杭区 文一西路 969 号', '浙江省杭州市余杭区****'],
    ['广东省东莞市长安镇锦厦社区振安路1号', '广东省东莞市****'],
    ['新疆维吾尔自治区乌鲁木齐市天山区解放路1号', '新疆维吾尔自治区乌鲁木齐市天山区****'],
    ['上海市浦东新区', '上海市浦东新区'],
    ['某某小区3栋201室', '****'],
    ['浙江省文三路100号', '浙江省****'],
  ])('%s → %s', (input, masked) => {
    expect(maskAddress(input)).toBe(masked);
  });

  it('never shows the street or the house number', () => {
    const masked = maskAddress('江苏省苏州市吴中区人民路123号锦绣家园5栋1801室');
    expect(masked).not.toMatch(/人民路|123|1801/);
  });
});

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['李', '*'],
    [undefined, ''],
  ])('%s → %s', (input, masked) => {
    expect(maskName(input)).toBe(masked);
  });
});

describe('maskContactsIn masks phones and street addresses inside what a customer wrote', () => {
  it.each([
    ['我地址写错了 要改成 北京市海淀区中关村大街1号', '我地址写错了 要改成 北京市海淀区****'],
    ['改成北京市海淀区中关村大街1号 电话13912345678', '改成北京市海淀区**** 电话139****5678'],
    ['地址是浙江省杭州市西湖区文三路100号3幢，谢谢', '地址是浙江省杭州市西湖区****，谢谢'],
  ])('%s', (input, masked) => {
    expect(maskContactsIn(input)).toBe(masked);
  });

  it('leaves a city without street detail, and words that only contain 市', () => {
    for (const text of ['我在上海市 快递什么时候到', '寄到广州市天河区', '上海市场价格更便宜', '东莞市虎门镇网点'])
      expect(maskContactsIn(text)).toBe(text);
  });
});
