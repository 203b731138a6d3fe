import { describe, expect, it } from 'vitest';
import { currentState, formatOrderReply, isDelivered, nextStep } from '../../../src/domain/orders/timeline.ts';
import type { OrderDetail } from '../../../src/domain/orders/types.ts';

/** China time "MM-DD HH:mm" on 2026 → Date. */
const cn = (s: string) => new Date(`2026-${s.replace(' ', 'T')}:00+08:00`);

function shippedOrder(over: Partial<OrderDetail> = {}): OrderDetail {
  return {
    id: 'o1',
    orderNo: 'SO20261120000001',
    source: 'tmall',
    status: 'shipped',
    statusAt: cn('11-21 09:12'),
    buyerName: '张三',
    phone: '13812341234',
    address: '浙江省杭州市西湖区文三路100号',
    amountCents: 19900,
    paidAt: cn('11-20 10:02'),
    carrier: 'sf',
    trackingNo: 'SF1234567890123',
    addressChangeCount: 0,
    items: [{ sku: 'A221', name: '纯棉卫衣', qty: 1, priceCents: 19900 }],
    history: [
      { status: 'paid', at: cn('11-20 10:02') },
      { status: 'approved', at: cn('11-20 14:30') },
      { status: 'shipped', at: cn('11-21 09:12') },
    ],
    tracking: [
      {
        at: cn('11-22 08:40'),
        carrier: 'sf',
        kind: 'transit',
        location: '杭州市',
        description: '快件已到达 杭州转运中心',
      },
    ],
    estimatedDeliveryAt: cn('11-24 18:00'),
    ...over,
  };
}

describe('order-status reply', () => {
  it('shows state, timeline with carrier + tracking no, latest event and the delivery estimate', () => {
    const text = formatOrderReply(shippedOrder(), cn('11-23 10:00'));
    expect(text).toBe(
      [
        '订单 SO20261120000001（天猫）· 当前：运输中',
        '· 11-20 10:02 已付款',
        '· 11-20 14:30 已审核',
        '· 11-21 09:12 已发货 · 顺丰 SF1234567890123',
        '· 11-22 08:40 最新物流：【杭州市】快件已到达 杭州转运中心',
        '商品：纯棉卫衣 ×1　实付 ¥199.00',
        '收货：张* 138****1234 浙江省杭州市西湖区****',
        '下一步：预计 11月24日 送达',
      ].join('\n'),
    );
  });

  it('never prints the full phone or the street', () => {
    const text = formatOrderReply(shippedOrder(), cn('11-23 10:00'));
    expect(text).not.toContain('13812341234');
    expect(text).not.toContain('文三路');
  });

  it('estimates delivery from ship time + carrier days when the source gives none', () => {
    const order = shippedOrder({ estimatedDeliveryAt: undefined });
    expect(nextStep(order, cn('11-22 10:00'))).toBe('预计 11月23日 送达');
  });

  it('says the parcel is late once the estimate has passed', () => {
    expect(nextStep(shippedOrder(), cn('11-26 10:00'))).toContain('已晚于预计时间');
  });
});

describe('sign-off in replies: only photo / OTP / locker count as delivered', () => {
  const signed = (signoffKind: string) =>
    shippedOrder({
      tracking: [
        { at: cn('11-23 09:00'), carrier: 'sf', kind: 'signed', signoffKind, description: '已签收，签收人：门卫' },
      ],
    });

  it('a sign-off in the tracking says when the parcel was signed for: no later 已签收 status line after it', () => {
    const scanned = signed('otp');
    // The courier's scan was at 09:00; our data learned of the sign-off at 21:37.
    const order = {
      ...scanned,
      status: 'signed',
      history: [...scanned.history, { status: 'signed', at: cn('11-23 21:37') }],
    };
    const lines = formatOrderReply(order, cn('11-24 10:00')).split('\n');
    expect(lines.filter((l) => l.startsWith('· '))).toEqual([
      '· 11-20 10:02 已付款',
      '· 11-20 14:30 已审核',
      '· 11-21 09:12 已发货 · 顺丰 SF1234567890123',
      '· 11-23 09:00 验证码签收：已签收，签收人：门卫',
    ]);
  });

  it('an electronic-only sign-off is not called delivered and invites a "没收到货" report', () => {
    const order = signed('electronic');
    expect(isDelivered(order)).toBe(false);
    expect(currentState(order)).toBe('快递显示已签收（仅电子签收，暂无签收凭证）');
    expect(nextStep(order, cn('11-23 10:00'))).toContain('没收到货');
    expect(formatOrderReply(order, cn('11-23 10:00'))).toContain('电子签收：已签收，签收人：门卫');
  });

  it.each([
    ['locker', '已签收（快递柜/驿站签收）'],
    ['photo', '已签收（拍照签收）'],
    ['otp', '已签收（验证码签收）'],
  ])('%s counts as delivered', (kind, state) => {
    const order = signed(kind);
    expect(isDelivered(order)).toBe(true);
    expect(currentState(order)).toBe(state);
  });

  it('an order marked signed with no carrier proof is shown as unverified', () => {
    const order = shippedOrder({ status: 'signed', tracking: [] });
    expect(currentState(order)).toBe('显示已签收（暂无签收凭证）');
  });
});

describe('next step before shipping', () => {
  it.each([
    ['paid', '订单审核中，审核通过后安排发货，预计 11月22日 前发货。'],
    ['approved', '仓库备货中，预计 11月22日 前发货。'],
    ['pending_payment', '等待付款，付款后我们会尽快审核发货。'],
    ['cancelled', '订单已取消，如已付款，款项将按原路退回。'],
  ])('%s', (status, text) => {
    const order = shippedOrder({ status, tracking: [], history: [], trackingNo: undefined });
    expect(nextStep(order, cn('11-21 10:00'))).toBe(text);
  });
});
