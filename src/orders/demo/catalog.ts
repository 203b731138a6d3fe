import type { Rng } from './rng.ts';

/**
 * Data for realistic demo orders: people, places, products, warehouses, carriers with real-looking
 * tracking numbers (the formats `intents/entities.yml` recognises, so a pasted number is found in chat).
 */

export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '林',
  '何',
  '高',
  '欧阳',
];
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '洋',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '霞',
  '子涵',
  '浩然',
  '雨桐',
  '思远',
  '梓萱',
];

/** [province (empty for municipalities), city, district]; 东莞 has towns, not districts. */
export const PLACES: readonly (readonly [string, string, string])[] = [
  ['', '北京市', '朝阳区'],
  ['', '北京市', '海淀区'],
  ['', '上海市', '浦东新区'],
  ['', '上海市', '徐汇区'],
  ['', '重庆市', '渝北区'],
  ['浙江省', '杭州市', '西湖区'],
  ['浙江省', '杭州市', '余杭区'],
  ['浙江省', '宁波市', '鄞州区'],
  ['广东省', '广州市', '天河区'],
  ['广东省', '深圳市', '南山区'],
  ['广东省', '东莞市', ''],
  ['江苏省', '南京市', '鼓楼区'],
  ['江苏省', '苏州市', '吴中区'],
  ['四川省', '成都市', '武侯区'],
  ['湖北省', '武汉市', '洪山区'],
  ['陕西省', '西安市', '雁塔区'],
  ['山东省', '青岛市', '市南区'],
  ['福建省', '厦门市', '思明区'],
  ['湖南省', '长沙市', '岳麓区'],
  ['新疆维吾尔自治区', '乌鲁木齐市', '天山区'],
];
const STREETS = [
  '建国路',
  '文三路',
  '中山路',
  '人民路',
  '解放路',
  '长江路',
  '科技园路',
  '学院路',
  '滨江大道',
  '天府大道',
];
const ESTATES = ['阳光花园', '翠苑小区', '锦绣家园', '望京西园', '金色港湾', '万科城', '滨江公寓', '和平里'];
const TOWNS = ['长安镇', '虎门镇', '塘厦镇'];

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'TS-A221-BLK-L', name: '男士纯棉连帽卫衣 黑色 L', priceCents: 19900 },
  { sku: 'CUP-330-WHT', name: '陶瓷马克杯 330ml 白色', priceCents: 4900 },
  { sku: 'BAB-DIAPER-M84', name: '婴儿纸尿裤 M码 84片', priceCents: 13900 },
  { sku: 'PET-CAT-2KG', name: '全价成猫粮 2kg', priceCents: 8900 },
  { sku: 'PHN-CASE-15P', name: '磨砂手机壳 适用15 Pro', priceCents: 3900 },
  { sku: 'CHG-GAN-65W', name: '65W 氮化镓快充充电器', priceCents: 12900 },
  { sku: 'SNK-NUT-750', name: '每日坚果 750g 30袋', priceCents: 9900 },
  { sku: 'SKN-CREAM-50', name: '保湿修护面霜 50g', priceCents: 26800 },
  { sku: 'TEA-LJ-250', name: '明前龙井 250g 礼盒', priceCents: 35800 },
  { sku: 'SHO-RUN-42', name: '轻量缓震跑步鞋 42码', priceCents: 45900 },
  { sku: 'BED-4PC-180', name: '纯棉四件套 1.8m床', priceCents: 29900 },
  { sku: 'EAR-ANC-PRO', name: '主动降噪蓝牙耳机', priceCents: 59900 },
];

/** Where parcels leave from. */
export const WAREHOUSES = [
  { city: '杭州市', hub: '杭州转运中心' },
  { city: '东莞市', hub: '东莞转运中心' },
  { city: '武汉市', hub: '武汉转运中心' },
];

export const HUBS: Record<string, string> = {
  北京市: '北京转运中心',
  上海市: '上海转运中心',
  重庆市: '重庆转运中心',
  杭州市: '杭州转运中心',
  宁波市: '宁波转运中心',
  广州市: '广州转运中心',
  深圳市: '深圳转运中心',
  东莞市: '东莞转运中心',
  南京市: '南京转运中心',
  苏州市: '苏州转运中心',
  成都市: '成都转运中心',
  武汉市: '武汉转运中心',
  西安市: '西安转运中心',
  青岛市: '青岛转运中心',
  厦门市: '厦门转运中心',
  长沙市: '长沙转运中心',
  乌鲁木齐市: '乌鲁木齐转运中心',
};

export interface DemoCarrier {
  id: string;
  name: string;
  /** `seq` makes numbers unique within one demo set. */
  trackingNo(rng: Rng, seq: string): string;
  /** Share of each sign-off kind; courier networks differ (seed 002: 37.2 % scan-only industry-wide). */
  signoff: Readonly<Record<'electronic' | 'locker' | 'photo' | 'otp', number>>;
}

export const DEMO_CARRIERS: readonly DemoCarrier[] = [
  {
    id: 'sf',
    name: '顺丰',
    trackingNo: (r, q) => `SF${r.digits(6)}${q}`,
    signoff: { electronic: 5, locker: 20, photo: 45, otp: 30 },
  },
  {
    id: 'jd',
    name: '京东快递',
    trackingNo: (r, q) => `JDVA${r.digits(4)}${q}`,
    signoff: { electronic: 5, locker: 15, photo: 40, otp: 40 },
  },
  {
    id: 'zto',
    name: '中通',
    trackingNo: (r, q) => `73${r.digits(3)}${q}`,
    signoff: { electronic: 30, locker: 45, photo: 20, otp: 5 },
  },
  {
    id: 'yto',
    name: '圆通',
    trackingNo: (r, q) => `YT${r.digits(6)}${q}`,
    signoff: { electronic: 30, locker: 45, photo: 20, otp: 5 },
  },
  {
    id: 'yunda',
    name: '韵达',
    trackingNo: (r, q) => `43${r.digits(4)}${q}`,
    signoff: { electronic: 40, locker: 40, photo: 15, otp: 5 },
  },
  {
    id: 'sto',
    name: '申通',
    trackingNo: (r, q) => `77${r.digits(4)}${q}`,
    signoff: { electronic: 35, locker: 45, photo: 15, otp: 5 },
  },
  {
    id: 'jtexpress',
    name: '极兔',
    trackingNo: (r, q) => `JT${r.digits(6)}${q}`,
    signoff: { electronic: 45, locker: 35, photo: 15, otp: 5 },
  },
  {
    id: 'ems',
    name: 'EMS',
    trackingNo: (r, q) => `1${r.digits(5)}${q}`,
    signoff: { electronic: 20, locker: 30, photo: 30, otp: 20 },
  },
];

export const SIGNOFF_TEXT: Record<'electronic' | 'locker' | 'photo' | 'otp', readonly string[]> = {
  electronic: ['已签收，签收人：本人', '已签收，签收人：门卫', '已签收，签收人：家人'],
  locker: ['已投递至丰巢智能柜，取件码已通过短信发送', '已由菜鸟驿站代收，请凭取件码取件'],
  photo: ['已签收，派件员已拍照留存签收凭证', '已签收（照片签收），签收人：本人'],
  otp: ['已签收（收件人凭验证码签收）', '已签收，已核验短信验证码'],
};

export function personName(rng: Rng): string {
  return `${rng.pick(SURNAMES)}${rng.pick(GIVEN)}`;
}

export function mobile(rng: Rng): string {
  return `1${rng.pick(['3', '5', '7', '8', '9'])}${rng.digits(9)}`;
}

/** A full address and its city (for the track's destination hub). */
export function address(rng: Rng): { text: string; city: string; district: string } {
  const [province, city, district] = rng.pick(PLACES);
  const local = district || rng.pick(TOWNS);
  const street = `${rng.pick(STREETS)}${rng.int(1, 999)}号${rng.pick(ESTATES)}${rng.int(1, 30)}栋${rng.int(1, 28)}0${rng.int(1, 6)}室`;
  return { text: `${province}${city}${local}${street}`, city, district: local };
}
