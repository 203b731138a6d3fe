import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src/orders/import-file.ts';
import type { Database } from '../../src/store/db.ts';
import { createOrderReader } from '../../src/store/orders.repo.ts';
import { freshPgDatabase, freshPgliteDatabase } from '../support/db.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'orders-import-'));
const NOW = new Date('2026-11-23T02:00:00Z');
const clock = { now: () => NOW };
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const HEADER = 'order_no,source,status,buyer_name,phone,address,amount,paid_at,shipped_at,carrier,tracking_no,items';
const ITEMS =
  '"[{""sku"":""A221"",""name"":""卫衣"",""qty"":1,""price"":""199""},{""sku"":""B7"",""name"":""杯子"",""qty"":2,""price"":""20""}]"';
const ORDERS = [
  HEADER,
  `SO20261120000001,天猫,已发货,张三,13812345678,浙江省杭州市西湖区文三路100号,239.00,2026-11-20 10:02:33,2026-11-21 09:00,顺丰,SF1234567890123,${ITEMS}`,
  'SO20261120000002,京东,已付款,李四,139,北京市朝阳区建国路88号,88,2026-11-20 11:00,,,,',
  'SO20261120000003,京东,已付款,李四,13912345678,北京市朝阳区建国路88号,88,2026-11-20 11:00,,,,',
  'SO20261120000004,拼多多,飞走了,王五,13712345678,上海市浦东新区世纪大道1号,10,2026-11-20 11:00,,,,',
].join('\n');
const LOGISTICS = [
  'tracking_no,carrier,at,kind,description,location,signoff_kind,network',
  'SF1234567890123,顺丰,2026-11-21 10:00,pickup,顺丰 已揽收,杭州市,,',
  'SF1234567890123,顺丰,2026-11-22 10:00,signed,已签收，签收人：门卫,北京市,electronic,朝阳区营业部',
  'SF1234567890123,顺丰,not-a-time,transit,运输中,北京市,,',
].join('\n');

type Counts = { orders: number; items: number; events: number; logistics: number; maxUpdated: string };

async function counts(db: Database): Promise<Counts> {
  const [row] = await db.sql.query<Record<string, unknown>>(
    `SELECT (SELECT count(*) FROM "Order") AS orders, (SELECT sum(json_array_length(items)) FROM "Order") AS items,
       (SELECT sum(json_array_length(history)) FROM "Order") AS events, (SELECT count(*) FROM "LogisticsEvent") AS logistics,
       (SELECT max("updatedAt")::text FROM "Order") AS "maxUpdated"`,
  );
  return {
    orders: Number(row?.orders),
    items: Number(row?.items),
    events: Number(row?.events),
    logistics: Number(row?.logistics),
    maxUpdated: String(row?.maxUpdated),
  };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['PostgreSQL', freshPgDatabase],
  ['PGlite', freshPgliteDatabase],
] as const)('order import on %s', (_name, open) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await open());
  });
  afterAll(async () => cleanup());

  it('stores good rows and reports bad rows with line numbers', async () => {
    const report = await importFile(db, 'orders', file('orders.csv', ORDERS), { clock });
    expect(report).toMatchObject({ total: 4, created: 2, updated: 0, unchanged: 0 });
    expect(report.rejected.map((r) => [r.line, r.errors[0]])).toEqual([
      [3, 'phone：手机号格式不正确（应为 11 位手机号，或带区号的座机）'],
      [
        5,
        'status：订单状态「飞走了」无效，可选：pending_payment / paid / approved / picked / shipped / signed / cancelled / closed / refunded',
      ],
    ]);
    expect(await counts(db)).toMatchObject({ orders: 2, items: 2, events: 3 });
  });

  it('links logistics events, keeps the latest tracking on the order, and reports the bad event', async () => {
    const report = await importFile(db, 'logistics', file('logistics.csv', LOGISTICS), { clock });
    expect(report).toMatchObject({ total: 3, created: 2, unlinked: 0 });
    expect(report.rejected.map((r) => r.line)).toEqual([4]);
    const [order] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'SO20261120000001' });
    expect(order).toMatchObject({
      lastTrackingKind: 'signed',
      lastSignoffKind: 'electronic',
      lastTrackingAt: new Date('2026-11-22T02:00:00Z'),
    });
    expect(order?.tracking.map((t) => t.description)).toEqual(['已签收，签收人：门卫', '顺丰 已揽收']);
  });

  it('re-importing the same files changes nothing (row counts and updatedAt)', async () => {
    const before = await counts(db);
    const later = { now: () => new Date(NOW.getTime() + 3_600_000) };
    const orders = await importFile(db, 'orders', path.join(dir, 'orders.csv'), { clock: later });
    const logistics = await importFile(db, 'logistics', path.join(dir, 'logistics.csv'), { clock: later });
    expect(orders).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(logistics).toMatchObject({ created: 0, unchanged: 2 });
    expect(await counts(db)).toEqual(before);
  });

  it('a changed row updates the order, replaces its items and counts an address change', async () => {
    const changed = [
      HEADER,
      'SO20261120000003,京东,已审核,李四,13912345678,北京市海淀区学院路1号,88,2026-11-20 11:00,,,,"[{""sku"":""C1"",""name"":""伞"",""qty"":1,""price"":""88""}]"',
    ].join('\n');
    const report = await importFile(db, 'orders', file('changed.csv', changed), { clock });
    expect(report).toMatchObject({ updated: 1 });
    const [order] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'SO20261120000003' });
    expect(order).toMatchObject({ status: 'approved', addressChangeCount: 1, statusAt: NOW });
    expect(order?.items.map((i) => i.sku)).toEqual(['C1']);
    expect(order?.history.map((h) => h.status)).toEqual(['paid', 'approved']);
  });

  it('a row re-sent with the same status and no status time keeps the history as it was', async () => {
    const later = { now: () => new Date(NOW.getTime() + 3_600_000) };
    const resent = [
      HEADER,
      'SO20261120000003,京东,已审核,李四,13912345678,北京市海淀区学院路2号,88,2026-11-20 11:00,,,,',
    ].join('\n');
    const report = await importFile(db, 'orders', file('resent.csv', resent), { clock: later });
    expect(report).toMatchObject({ updated: 1 });
    const [order] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'SO20261120000003' });
    expect(order?.address).toBe('北京市海淀区学院路2号');
    expect(order?.statusAt).toEqual(NOW);
    expect(order?.history.map((h) => [h.status, h.at.toISOString()])).toEqual([
      ['paid', '2026-11-20T03:00:00.000Z'],
      ['approved', NOW.toISOString()],
    ]);
    expect(order?.items.map((i) => i.sku)).toEqual(['C1']);
  });

  it('events that arrive before their order are linked when the order comes', async () => {
    const events = 'tracking_no,carrier,at,description\nYT1000000000001,圆通,2026-11-22 08:00,圆通 已揽收\n';
    const first = await importFile(db, 'logistics', file('early.csv', events), { clock });
    expect(first).toMatchObject({ created: 1, unlinked: 1 });
    const order = `${HEADER}\nSO20261120000009,自营,已发货,赵六,13612345678,江苏省南京市鼓楼区中山路1号,50,2026-11-21 08:00,2026-11-22 07:00,圆通,YT1000000000001,`;
    await importFile(db, 'orders', file('late.csv', order), { clock });
    const [found] = await createOrderReader(db.sql).find({ by: 'trackingNo', value: 'YT1000000000001' });
    expect(found).toMatchObject({ orderNo: 'SO20261120000009', lastTrackingKind: 'transit' });
    const linked = await db.sql.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM "LogisticsEvent" WHERE "orderId" = $1`,
      [found?.id],
    );
    expect(Number(linked[0]?.n)).toBe(1);
  });
});
