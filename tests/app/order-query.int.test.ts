import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderQuery, type OrderQueryInput } from '../../src/app/order-query.ts';
import { type DemoData, generateDemoData } from '../../src/orders/demo/generate.ts';
import { bindSandboxUsers } from '../../src/orders/demo/seed-sandbox.ts';
import { writeDemoFiles } from '../../src/orders/demo/write-files.ts';
import { importFile } from '../../src/orders/import-file.ts';
import { createAuditWriter } from '../../src/store/audit.repo.ts';
import { createCustomerDirectory } from '../../src/store/customer-directory.repo.ts';
import type { Database } from '../../src/store/db.ts';
import { createOrderReader } from '../../src/store/orders.repo.ts';
import { createVerificationGuard } from '../../src/store/verification-guard.ts';
import { freshPgDatabase, randomName } from '../support/db.ts';
import { REDIS_URL } from '../support/redis.ts';

const NOW = new Date('2026-11-23T02:00:00Z');
const clock = { now: () => NOW };
const dir = mkdtempSync(path.join(tmpdir(), 'order-query-'));
let db: Database;
let cleanup: () => Promise<void>;
let redis: Redis;
let data: DemoData;
let ask: ReturnType<typeof createOrderQuery>;

beforeAll(async () => {
  ({ db, cleanup } = await freshPgDatabase());
  redis = new Redis(REDIS_URL);
  data = generateDemoData({ orders: 60, seed: 11, now: NOW });
  const files = await writeDemoFiles(data, dir);
  await importFile(db, 'orders', files.orders, { clock });
  await importFile(db, 'logistics', files.logistics, { clock });
  const orders = createOrderReader(db.sql);
  const customers = createCustomerDirectory(db.sql, clock);
  await bindSandboxUsers(data, { customers, orders });
  const guard = createVerificationGuard(redis, { prefix: randomName('oq'), maxFailures: 5 });
  ask = createOrderQuery({ orders, customers, guard, audit: createAuditWriter(db.sql, clock), clock });
});

afterAll(async () => {
  redis.disconnect();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const customer = (userRef: string, text: string): OrderQueryInput => ({
  channel: 'sandbox',
  userRef,
  role: 'customer',
  text,
});
const staff = (text: string): OrderQueryInput => ({
  channel: 'sandbox',
  userRef: 'agent1',
  role: 'staff',
  chatId: 'aftersales-group',
  text,
});
const audit = (actor: string) =>
  db.sql.query<{ action: string; subject: string }>(
    `SELECT action, subject FROM "AuditLog" WHERE actor = $1 ORDER BY at, id`,
    [actor],
  );
const notC1 = () =>
  data.orders.find((o) => !data.sandbox.some((s) => s.orderNos.includes(o.order_no)) && o.phone && o.tracking_no);

describe('customers see only their own orders', () => {
  it('"我的订单" lists exactly the orders bound to the asking customer', async () => {
    const r = await ask(customer('c1', '查一下我的订单'));
    const mine = data.sandbox[0]?.orderNos ?? [];
    expect(r.outcome).toBe('listed');
    expect(r.orders.map((o) => o.orderNo).sort()).toEqual([...mine].sort());
    for (const no of mine) expect(r.text).toContain(no);
    expect(r.text).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/); // no full phone number
  });

  it('a stranger without an order number is told what is still missing, never shown orders by a phone alone', async () => {
    const o = notC1();
    const byPhone = await ask(customer('stranger-1', `订单号忘了 手机号是${o?.phone}`));
    expect(byPhone.outcome).toBe('need_reference');
    expect(byPhone.orders).toEqual([]);
    expect(byPhone.text).toContain('只凭手机号不能查询订单');
    expect(byPhone.text).toContain(`尾号 ${String(o?.phone).slice(-4)}`);
    expect(byPhone.text).not.toContain(String(o?.phone));
    const digits = await ask(customer('stranger-1', '3909'));
    expect(digits.text).toMatch(/^收到尾号 3909。还需要订单号/);
    expect((await ask(customer('stranger-1', '我找不到订单号'))).text).toContain('「我的订单」');
    expect((await ask(customer('stranger-1', '帮我查下订单'))).text).toMatch(/^请发送订单号和下单手机号后 4 位/);
  });

  it('a bound order is answered in full, masked', async () => {
    const no = data.sandbox[0]?.orderNos[1] ?? '';
    const r = await ask(customer('c1', `${no} 到哪了`));
    expect(r.outcome).toBe('answered');
    expect(r.text).toMatch(new RegExp(`^订单 ${no}（`));
    expect(r.text).toContain('下一步：');
    expect(r.text).toMatch(/\d{3}\*\*\*\*\d{4}/);
  });

  it("another customer's order is not shown without the phone suffix, and c2 cannot read c1's order", async () => {
    const no = data.sandbox[0]?.orderNos[0] ?? '';
    const r = await ask(customer('c2', `${no} 到哪了`));
    expect(r).toEqual({ outcome: 'ask_verification', orders: [], text: expect.stringContaining('后 4 位') });
    expect(r.text).not.toContain('当前');
  });

  it('order no + last 4 digits of the phone verifies, binds, and later questions need no suffix', async () => {
    const o = notC1();
    const r = await ask(customer('c3', `${o?.order_no} 尾号${String(o?.phone).slice(-4)}`));
    expect(r.outcome).toBe('answered');
    expect(r.orders.map((x) => x.orderNo)).toEqual([o?.order_no]);
    const again = await ask(customer('c3', '我的订单到哪了'));
    expect(again.orders.map((x) => x.orderNo)).toEqual([o?.order_no]);
  });

  it('a bare "1234" completes the verification the bot asked for', async () => {
    const o = data.orders.at(-1);
    const first = await ask(customer('c4', `${o?.order_no}`));
    expect(first.outcome).toBe('ask_verification');
    const second = await ask(customer('c4', String(o?.phone).slice(-4)));
    expect(second.outcome).toBe('answered');
    expect(second.orders[0]?.orderNo).toBe(o?.order_no);
  });
});

describe('a stranger guessing order numbers', () => {
  it('gets the same answer for real and made-up orders, then is throttled after 5 attempts', async () => {
    const real = notC1()?.order_no ?? '';
    const replies = [];
    for (const ref of [real, 'SO20261120999991', real, 'SO20261120999992', 'SO20261120999993', real]) {
      replies.push(await ask(customer('stranger', `${ref} 尾号0000`)));
    }
    expect(replies.map((r) => r.outcome)).toEqual([
      'verification_failed',
      'verification_failed',
      'verification_failed',
      'verification_failed',
      'throttled',
      'throttled',
    ]);
    expect(replies[0]?.text).toBe(replies[1]?.text.replace('还可尝试 3 次', '还可尝试 4 次'));
    expect(replies.every((r) => r.orders.length === 0)).toBe(true);
    expect(replies[5]?.text).toMatch(/^查询过于频繁：为保护订单隐私，请 \d+ 分钟后再试/);
    const log = await audit('customer:sandbox:stranger');
    expect(log.filter((a) => a.action === 'order.verify_failed')).toHaveLength(5);
    expect(log.some((a) => a.action === 'order.view')).toBe(false);
  });

  it('throttling is per user: the real customer can still ask', async () => {
    const r = await ask(customer('c1', '我的订单到哪了'));
    expect(r.outcome).toBe('listed');
  });
});

describe('staff in groups', () => {
  it('see any order by order no, masked, and the view is audited', async () => {
    const o = notC1();
    const r = await ask(staff(`@bot 查 ${o?.order_no}`));
    expect(r.outcome).toBe('answered');
    expect(r.text).not.toContain(String(o?.phone));
    expect(r.text).toContain(`${String(o?.phone).slice(0, 3)}****${String(o?.phone).slice(-4)}`);
    expect(r.text).toMatch(/收货：\S+ \d{3}\*{4}\d{4} \S+\*{4}/);
    const log = await audit('staff:sandbox:agent1');
    expect(log).toContainEqual({ action: 'order.view', subject: `order:${o?.order_no}` });
  });

  it('find orders by tracking no, full phone and phone suffix', async () => {
    const o = notC1();
    const byTracking = await ask(staff(`查 ${o?.tracking_no}`));
    const byPhone = await ask(staff(`查 ${o?.phone}`));
    const bySuffix = await ask(staff(`查 尾号${String(o?.phone).slice(-4)}`));
    for (const r of [byTracking, byPhone, bySuffix]) expect(r.orders.map((x) => x.orderNo)).toContain(o?.order_no);
  });

  it('get a clear "not found" and a usage hint', async () => {
    expect((await ask(staff('查 SO20991231000001'))).text).toBe('没有找到 SO20991231000001 对应的订单，请核对后再试。');
    expect((await ask(staff('查一下'))).outcome).toBe('need_reference');
  });
});
