import { describe, expect, it } from 'vitest';
import {
  approvalAsk,
  describeFilter,
  downloadBlock,
  EXPORT_COLUMNS,
  ExportFilterSchema,
  type ExportRequest,
  exportRow,
  exportWindow,
} from '../../../src/domain/orders/export.ts';

const request = (over: Partial<ExportRequest> = {}): ExportRequest => ({
  id: 3,
  filter: { since: '2026-11-01', until: '2026-11-30', status: 'shipped' },
  count: 350,
  requestedBy: 'admin:张三',
  status: 'pending',
  createdAt: new Date('2026-11-30T02:00:00Z'),
  ...over,
});

describe('order exports', () => {
  it('a row shows what staff see in chat: phone, name and address masked, amounts in yuan', () => {
    const row = exportRow({
      orderNo: 'SO-1',
      source: 'tmall',
      status: 'shipped',
      orderedAt: new Date('2026-11-20T02:05:00Z'),
      amountCents: 12990,
      buyerName: '张三丰',
      phone: '13812345678',
      address: '浙江省杭州市余杭区文一西路 969 号 3 幢',
      carrier: '顺丰',
      trackingNo: 'SF1234567890',
      items: [
        { sku: 'CUP-01', name: '陶瓷马克杯', qty: 2 },
        { sku: 'TEA-03', name: '龙井', qty: 1 },
      ],
    });
    expect(Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]]))).toEqual({
      订单号: 'SO-1',
      来源: '天猫',
      状态: '已发货',
      下单时间: '11-20 10:05',
      付款时间: '',
      '金额（元）': '129.90',
      收件人: '张**',
      手机号: '138****5678',
      收货地址: '浙江省杭州市余杭区****',
      快递公司: '顺丰',
      运单号: 'SF1234567890',
      商品: '陶瓷马克杯（CUP-01）×2；龙井（TEA-03）×1',
    });
  });

  it('a filter covers whole China days and reads in Chinese', () => {
    const f = ExportFilterSchema.parse({ since: '2026-11-01', until: '2026-11-30', source: 'jd' });
    expect(exportWindow(f)).toEqual({
      from: new Date('2026-10-31T16:00:00Z'),
      to: new Date('2026-11-30T16:00:00Z'),
    });
    expect(describeFilter(f)).toBe('下单日期 2026-11-01 至 2026-11-30，来源 京东');
    expect(describeFilter({})).toBe('全部订单');
    expect(ExportFilterSchema.safeParse({ since: '2026-13-45' }).success).toBe(false);
    expect(ExportFilterSchema.safeParse({ until: '2026-02-30' }).success).toBe(false);
    expect(ExportFilterSchema.safeParse({ status: 'lost' }).success).toBe(false);
    expect(ExportFilterSchema.safeParse({ phone: '138' }).success).toBe(false);
  });

  it('managers are asked who wants how many orders of what, and how to answer', () => {
    expect(approvalAsk(request()).split('\n')).toEqual([
      '导出审批 #3：管理员 张三 申请导出 350 个订单（下单日期 2026-11-01 至 2026-11-30，状态 已发货）。',
      '超过 100 个订单的导出需要经理批准；导出文件里的手机号、姓名和地址都是打码的。',
      '回复「批准导出 3」或「拒绝导出 3 理由」。',
    ]);
  });

  it('a request downloads only once approved, and for 24 hours', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    expect(downloadBlock(request(), now)).toBe('导出申请 #3 还在等经理批准（350 个订单）。');
    expect(downloadBlock(request({ status: 'rejected', decidedBy: '陈总', reason: '太多了' }), now)).toBe(
      '导出申请 #3 已被 陈总 拒绝：太多了。',
    );
    const approvedAt = (h: number) => new Date(now.getTime() - h * 3_600_000);
    expect(downloadBlock(request({ status: 'approved', decidedAt: approvedAt(23) }), now)).toBeUndefined();
    expect(downloadBlock(request({ status: 'approved', decidedAt: approvedAt(25) }), now)).toBe(
      '导出申请 #3 的批准已超过 24 小时，请重新申请。',
    );
  });
});
