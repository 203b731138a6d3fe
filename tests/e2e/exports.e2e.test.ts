import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Json, startTestService, type TestService } from '../support/service.ts';

const TOKEN = 'test-admin-token-exports-0001';

/** Orders placed on 2026-11-20 (China), `n` of them from `source`, each with a full phone and address. */
async function seedOrders(svc: TestService, source: string, n: number, prefix: string) {
  const at = new Date('2026-11-20T02:00:00Z');
  await svc.db.prisma.order.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      orderNo: `${prefix}-${String(i).padStart(4, '0')}`,
      source,
      status: 'shipped',
      orderedAt: at,
      amountCents: 5000 + i,
      buyerName: '李四',
      phone: '13900001111',
      address: '上海市浦东新区世纪大道 100 号 8 楼',
      items: [{ sku: 'CUP-01', name: '陶瓷马克杯', qty: 1, priceCents: 5000 }],
    })),
  });
}

describe('order exports: more than 100 orders need a manager\u2019s approval in chat (real service)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { ADMIN_TOKEN: TOKEN } });
    await seedOrders(svc, 'jd', 3, 'JD');
    await seedOrders(svc, 'tmall', 101, 'TM');
  });
  afterAll(async () => svc?.stop());

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(svc.base + path, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'x-admin-actor': encodeURIComponent('张三'), ...init.headers },
    });
  const say = async (user: string, role: string, text: string, chat?: string) => {
    const r = await svc.post('/api/sandbox/messages', { user, role, text, ...(chat ? { chat } : {}) });
    return ((r.json.replies as { text: string }[])[0]?.text ?? '') as string;
  };
  const audit = async (query: string) => (await (await admin(`/api/admin/audit?${query}`)).json()) as Json[];

  it('100 orders or fewer download at once, masked as in chat, and the export is in the audit log', async () => {
    const res = await admin('/api/admin/orders/export?source=jd&since=2026-11-20&until=2026-11-20');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('订单号,来源,状态,下单时间,付款时间,金额（元）,收件人,手机号,收货地址,快递公司,运单号,商品');
    expect(lines[1]).toBe(
      'JD-0000,京东,已发货,11-20 10:00,,50.00,李*,139****1111,上海市浦东新区****,,,陶瓷马克杯（CUP-01）×1',
    );
    expect(lines.join('\n')).not.toContain('13900001111');
    const [row] = await audit('action=order.export');
    expect(row).toMatchObject({ actor: 'admin:张三', subject: 'orders', detail: { count: 3 } });
  });

  it('101 orders wait for a manager: the managers are asked in chat, an agent cannot approve, 陈总 can', async () => {
    const asked = await admin('/api/admin/orders/export?source=tmall');
    expect(asked.status).toBe(202);
    const pending = (await asked.json()) as Json;
    expect(pending).toMatchObject({ status: 'pending', count: 101 });
    const id = pending.request as number;

    // The manager (sandbox mgr1, 经理陈总) and the managers' group are told, once.
    const inbox = async () =>
      ((await svc.get('/api/sandbox/inbox?user=mgr1')).json.messages as { text: string }[]).filter((m) =>
        m.text.startsWith(`导出审批 #${id}`),
      );
    const [ask] = await eventually(inbox, (m) => m.length > 0, 30_000);
    expect(ask?.text).toContain('管理员 张三 申请导出 101 个订单（来源 天猫）');
    expect(ask?.text).toContain(`回复「批准导出 ${id}」`);

    expect((await admin(`/api/admin/orders/export?request=${id}`)).status).toBe(202);
    expect(await say('agent1', 'staff', `@bot 批准导出 ${id}`, 'g1')).toBe('只有经理可以批准或拒绝导出申请。');
    expect((await admin(`/api/admin/orders/export?request=${id}`)).status).toBe(202);

    // 陈总 can see what waits for them before deciding.
    expect(await say('mgr1', 'manager', '导出申请')).toContain(`#${id} 管理员 张三 · 101 个订单（来源 天猫）`);
    expect(await say('mgr1', 'manager', `批准导出 ${id}`)).toBe(
      `已批准导出申请 #${id}（管理员 张三，101 个订单）。申请人可在 24 小时内下载。`,
    );
    const file = await admin(`/api/admin/orders/export?request=${id}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('x-export-count')).toBe('101');
    expect((await file.text()).trim().split('\r\n')).toHaveLength(102);
    // A second answer changes nothing.
    expect(await say('mgr1', 'manager', `拒绝导出 ${id}`)).toBe(`导出申请 #${id} 已经由经理陈总批准了。`);

    const decisions = await audit(`subject=export:${id}`);
    expect(decisions.map((r) => r.action).sort()).toEqual(['export.approve', 'order.export', 'order.export_requested']);
    expect(decisions.find((r) => r.action === 'order.export')?.detail).toMatchObject({
      count: 101,
      approvedBy: '经理陈总',
    });
    expect(await inbox()).toHaveLength(1);
  });

  it('a rejected request cannot be downloaded, and says why', async () => {
    const asked = (await (await admin('/api/admin/orders/export?status=shipped')).json()) as Json;
    expect(asked.count).toBe(104);
    expect(await say('mgr1', 'manager', `拒绝导出 ${asked.request}，只需要本周的`)).toBe(
      `已拒绝导出申请 #${asked.request}（管理员 张三，104 个订单），理由：只需要本周的。`,
    );
    const res = await admin(`/api/admin/orders/export?request=${asked.request}`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error.message).toBe(
      `导出申请 #${asked.request} 已被 经理陈总 拒绝：只需要本周的。`,
    );
  });

  it('admin changes are audited: who made whom a manager, and what the role was before', async () => {
    const put = (role: string) =>
      admin('/api/admin/staff/wecom/wangwu', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '王五', role }),
      });
    expect((await put('agent')).status).toBe(200);
    expect((await put('manager')).status).toBe(200);
    const [last, first] = await audit('action=staff.update&limit=5').then(async (u) => [
      u[0],
      (await audit('action=staff.create&limit=5'))[0],
    ]);
    expect(first).toMatchObject({ actor: 'admin:张三', detail: { externalId: 'wangwu', role: 'agent' } });
    expect(last).toMatchObject({ actor: 'admin:张三', detail: { role: 'manager', previousRole: 'agent' } });
    const bad = await fetch(`${svc.base}/api/admin/audit`, { headers: { authorization: 'Bearer wrong' } });
    expect(bad.status).toBe(403);
  });
});
