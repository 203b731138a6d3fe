import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestService, type TestService } from '../support/service.ts';

/** "HH:MM" in China now: the report time that makes today's report due at once. */
function chinaClock(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
}

/** The PNG a sandbox message's picture carries (a data: URL), checked to be one. */
function pictureOf(m: { picture?: { title: string; src: string } } | undefined): { title: string; png: Buffer } {
  const [head, data] = (m?.picture?.src ?? '').split(',');
  expect(head).toBe('data:image/png;base64');
  const png = Buffer.from(data ?? '', 'base64');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  return { title: m?.picture?.title ?? '', png };
}

type Said = { text: string; picture?: { title: string; src: string } };

const NAMES = [
  '订单状态同步延迟中位数',
  '物流状态可信率',
  '售后首次响应时间中位数',
  '订单修改成功率',
  '跨系统数据一致性',
];

describe("the managers' reports (real service, PostgreSQL + Redis)", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { HEALTH_REPORT_AT: chinaClock() } });
  });
  afterAll(async () => svc?.stop());

  const managersGroup = async () =>
    ((await svc.get('/api/sandbox/inbox?chat=managers')).json.messages as Said[]).filter((m) =>
      m.text.startsWith('订单与售后健康日报'),
    );

  it("reaches the managers' group once at its time, with the five numbers", async () => {
    const [report] = await eventually(managersGroup, (m) => m.length > 0, 20_000);
    const lines = (report?.text ?? '').split('\n');
    expect(lines[0]).toMatch(
      /^订单与售后健康日报（近 7 天，截至 \d+\/\d+ \d\d:\d\d）：(\d\/\d 项达标|暂无可计算的指标)$/,
    );
    for (const name of NAMES) expect(lines.some((l) => l.startsWith(`· ${name}：`))).toBe(true);
    // The card picture goes with the text, as on WeCom and DingTalk.
    expect(pictureOf(report).title).toBe('订单健康日报');
    expect(await managersGroup()).toHaveLength(1);
  });

  it('staff get the numbers when they ask 健康日报; 今日概况 is still the day summary', async () => {
    const ask = async () => {
      const r = await svc.post('/api/sandbox/messages', {
        user: 'sup1',
        role: 'staff',
        text: '@bot 健康日报',
        chat: 'g1',
      });
      return (r.json.replies as { text: string }[])[0]?.text ?? '';
    };
    // Two sign-offs yesterday, one with a photo: the rate is measured on them, and is at risk.
    const at = new Date(Date.now() - 24 * 3600_000);
    const signoffs: [string, string][] = [
      ['SF-H1', 'photo'],
      ['SF-H2', 'electronic'],
    ];
    for (const [trackingNo, signoffKind] of signoffs)
      await svc.db.prisma.logisticsEvent.create({
        data: { carrier: 'sf', trackingNo, at, description: '已签收', kind: 'signed', signoffKind },
      });
    const text = await ask();
    expect(text).toMatch(/^订单与售后健康日报（近 7 天，截至 \d+\/\d+ \d\d:\d\d）：0\/1 项达标\n/);
    expect(text).toContain(
      '· 物流状态可信率：50.0%（目标 ≥ 85%；2 次签收）✘ 风险\n  低于 70%：顾客对签收的信任正在坍塌',
    );
    for (const name of NAMES) expect(text).toContain(`· ${name}：`);
    const day = await svc.post('/api/sandbox/messages', {
      user: 'sup1',
      role: 'staff',
      text: '@bot 今日概况',
      chat: 'g1',
    });
    expect((day.json.replies as { text: string }[])[0]?.text).toMatch(/^今日工单概况/);
  });

  it("根因周报 counts the week's product problems by goods; a customer's broken cup shows up in it", async () => {
    const ask = async (text: string, user = 'sup1', role = 'staff') => {
      const r = await svc.post('/api/sandbox/messages', {
        user,
        role,
        text,
        ...(role === 'staff' ? { chat: 'g1' } : {}),
      });
      return (r.json.replies as Said[])[0];
    };
    const quiet = await ask('@bot 根因周报');
    expect(quiet?.text).toMatch(/^售后根因周报（.+）：这一周没有商品问题工单/);
    expect(quiet?.picture).toBeUndefined();
    // A cup of the customer's order arrives broken: the ticket blames that order's goods.
    const order = await svc.db.prisma.order.create({
      data: {
        orderNo: 'SO-RC-1',
        source: 'own',
        status: 'signed',
        items: [{ sku: 'CUP-01', name: '陶瓷马克杯 350ml', qty: 1, priceCents: 3900 }],
      },
    });
    const customer = await svc.db.prisma.customer.create({ data: { name: '顾客' } });
    await svc.db.prisma.identity.create({
      data: { platform: 'sandbox', externalId: 'c-rc', kind: 'customer', customerId: customer.id },
    });
    await svc.db.prisma.orderBinding.create({ data: { customerId: customer.id, orderId: order.id, method: 'import' } });
    expect((await ask('马克杯收到就是碎的', 'c-rc', 'customer'))?.text).toMatch(
      /（商品破损，优先级 P\d）.*订单 SO-RC-1/,
    );
    const week = await ask('@bot 热力图');
    expect(pictureOf(week).title).toBe('售后根因热力图');
    expect(week?.text).toMatch(
      /^售后根因周报（.+）：商品问题工单 1 张\nTOP3 问题商品：\n1\. 陶瓷马克杯 350ml（CUP-01）1 张：商品破损 1\n/,
    );
  });
});
