import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'dashboard-token-0123456789';

describe.skipIf(!existsSync(CHROMIUM))('the /dashboard page in a real browser (Debian chromium)', () => {
  let svc: TestService;
  let browser: Browser;
  beforeAll(async () => {
    svc = await startTestService({ env: { ADMIN_TOKEN: TOKEN } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    // A customer's mug arrives broken: one product-problem ticket on the order's goods.
    const p = svc.db.prisma;
    const order = await p.order.create({
      data: {
        orderNo: 'SO-DASH-1',
        source: 'own',
        status: 'signed',
        items: [{ sku: 'CUP-01', name: '陶瓷马克杯 350ml', qty: 1, priceCents: 3900 }],
      },
    });
    const customer = await p.customer.create({ data: { name: '顾客' } });
    await p.identity.create({
      data: { platform: 'sandbox', externalId: 'c-dash', kind: 'customer', customerId: customer.id },
    });
    await p.orderBinding.create({ data: { customerId: customer.id, orderId: order.id, method: 'import' } });
    const r = await svc.post('/api/sandbox/messages', { user: 'c-dash', role: 'customer', text: '马克杯收到就是碎的' });
    expect(r.json.replies[0].text).toContain('订单 SO-DASH-1');
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('the report API wants the admin token when one is set', async () => {
    const res = await fetch(`${svc.base}/api/reports/health`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('管理令牌无效');
  });

  it('a manager enters the token and sees the five health numbers and the broken mug on the heat maps', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/dashboard`);
    await expect(page.title()).resolves.toBe('售后分诊助手 · 看板');
    // Without the token the page says why it shows nothing.
    await page.locator('#error').filter({ hasText: '管理令牌无效' }).waitFor({ timeout: 10_000 });
    await page.fill('#token', TOKEN);
    await page.click('#load');
    await page.locator('#health tbody tr').nth(4).waitFor({ timeout: 10_000 });
    await expect(page.locator('#error').textContent()).resolves.toBe('');
    const names = await page.locator('#health tbody tr td:first-child').allTextContents();
    expect(names).toEqual([
      '订单状态同步延迟中位数',
      '物流状态可信率',
      '售后首次响应时间中位数',
      '订单修改成功率',
      '跨系统数据一致性',
    ]);
    await expect(page.locator('#rc-sub').textContent()).resolves.toMatch(/商品问题工单 1 张$/);
    const mug = page.locator('#rc-problems tbody tr[data-sku="CUP-01"]');
    await expect(mug.locator('td').first().textContent()).resolves.toBe('陶瓷马克杯 350ml（CUP-01）');
    const heads = await page.locator('#rc-problems thead th').allTextContents();
    expect(heads).toEqual(['商品', '商品破损', '合计']);
    await expect(mug.locator('td.heat').textContent()).resolves.toBe('1');
    // The time-of-day map has the six bands, the mug in one of them.
    const bandHeads = await page.locator('#rc-bands thead th').allTextContents();
    expect(bandHeads).toEqual(['商品', '0–4 点', '4–8 点', '8–12 点', '12–16 点', '16–20 点', '20–24 点', '合计']);
    const bands = await page.locator('#rc-bands tbody tr[data-sku="CUP-01"] td.heat').allTextContents();
    expect(bands.filter((t) => t === '1')).toHaveLength(1);
  });

  it('the queue shows open tickets per priority and the overdue one, with its owner and how late', async () => {
    const p = svc.db.prisma;
    const mug = await p.ticket.findFirstOrThrow({ where: { order: { orderNo: 'SO-DASH-1' } } });
    // Two hours past its first-response deadline, nobody has answered yet.
    await p.ticket.update({
      where: { id: mug.id },
      data: { firstResponseDueAt: new Date(Date.now() - 2 * 3_600_000), assigneeId: null },
    });
    const page = await browser.newPage();
    await page.goto(`${svc.base}/dashboard`);
    await page.fill('#token', TOKEN);
    await page.click('#load');
    const row = page.locator(`#queue-overdue tbody tr[data-ticket="${mug.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([`#${mug.id}`, mug.priority, '待处理', '商品破损']);
    expect(cells[5]).toBe('首响超时 2 小时');
    expect(cells[6]).toBe('马克杯收到就是碎的');
    await expect(page.locator(`#queue-open .tile[data-priority="${mug.priority}"] b`).textContent()).resolves.toBe('1');
    await expect(page.locator('#queue-sub').textContent()).resolves.toBe('未完成 1 张，其中 1 张已超时');
    await expect(page.locator('#queue-today').textContent()).resolves.toContain('新建 1 张（商品破损 1）');
    // Every unfinished ticket, with its owner and next deadline (past: marked late); the filter narrows them.
    const open = page.locator(`#queue-unfinished tbody tr[data-ticket="${mug.id}"]`);
    const openCells = await open.locator('td').allTextContents();
    expect(openCells.slice(0, 5)).toEqual([`#${mug.id}`, mug.priority, '待处理', '商品破损', '未分配']);
    expect(openCells[5]).toMatch(/^首响截止 \d+\/\d+ \d\d:\d\d$/);
    expect(openCells[6]).toBe('马克杯收到就是碎的');
    await expect(open.getAttribute('class')).resolves.toContain('late');
    await expect(page.locator('#open-sub').textContent()).resolves.toBe('共 1 张，显示 1 张');
    await page.selectOption('#open-filter', 'unassigned');
    await expect(open.count()).resolves.toBe(1);
    // Taken by someone now: the 未分配 view no longer holds it, 已超时 still does.
    const agent = await p.staff.findFirstOrThrow();
    await p.ticket.update({ where: { id: mug.id }, data: { assigneeId: agent.id } });
    await page.click('#load');
    await page.locator(`#queue-unfinished tbody td.none`).waitFor({ timeout: 10_000 });
    await expect(page.locator('#open-sub').textContent()).resolves.toBe('共 1 张，显示 0 张');
    await page.selectOption('#open-filter', 'late');
    await expect(open.locator('td.assignee').textContent()).resolves.toBe(agent.name);
  });

  it('客服工作量 shows each colleague: resolved, first responses and a 不满意 rating, from what happened in chat', async () => {
    const p = svc.db.prisma;
    const say = async (user: string, text: string, role = 'customer') =>
      (await svc.post('/api/sandbox/messages', { user, role, text })).json.replies[0]?.text as string;
    const id = Number(/工单 #(\d+)/.exec(await say('c-dash-2', '杯子收到就碎了'))?.[1]);
    const t = await p.ticket.findUniqueOrThrow({ where: { id } });
    const owner = await p.identity.findFirstOrThrow({
      where: { staffId: t.assigneeId ?? '' },
      include: { staff: true },
    });
    await say(owner.externalId, `@bot 接单 #${id}`, 'staff');
    await say(owner.externalId, `@bot 解决 #${id} 已补发`, 'staff');
    await say('c-dash-2', '不满意');
    const team = await (
      await fetch(`${svc.base}/api/reports/team`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json();
    const mine = (team as { agents: { id: string; open: number; overdue: number }[] }).agents.find(
      (a) => a.id === owner.staffId,
    );
    const page = await browser.newPage();
    await page.goto(`${svc.base}/dashboard`);
    await page.fill('#token', TOKEN);
    await page.click('#load');
    const row = page.locator(`#team tbody tr[data-agent="${owner.staffId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells).toEqual([
      owner.staff?.name,
      '客服',
      String(mine?.open),
      String(mine?.overdue),
      '1',
      '1',
      '不到 1 分钟',
      '0',
      '满意 0 · 一般 0 · 不满意 1',
    ]);
    await expect(row.locator('td').nth(8).getAttribute('class')).resolves.toBe('bad');
    await expect(page.locator('#team-sub').textContent()).resolves.toMatch(/起，按工单当前的负责人统计/);
  });
});
