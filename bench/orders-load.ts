import type { BulkSql } from '../src/store/bulk-session.ts';

/**
 * Bulk load for the orders bench: N orders (with items and status history) and E logistics events generated inside
 * PostgreSQL with generate_series — no client round trips, so loading 10M events takes minutes, not hours.
 * Secondary indexes and foreign keys are dropped for the load and rebuilt after, as one would for any bulk
 * load; the bench then measures against exactly the migrated schema.
 *
 * Shape: 70 % signed weeks ago (events end with a sign-off of each kind in turn), 10 % shipped in the last
 * 4 days (some of them stale), the rest paid / approved / picked / cancelled in the last 30 hours; 0.2 %
 * with 3 address changes — a few percent of orders end up as findings, as in a healthy shop.
 */

const BASE = `TIMESTAMP '2026-11-23 02:00:00'`;

const ORDERS = (n: number) => `
INSERT INTO "Order" (id, "orderNo", source, status, "statusAt", "buyerName", "buyerPlatformId", phone, "phoneLast4",
  address, "amountCents", "orderedAt", "paidAt", carrier, "trackingNo", "addressChangeCount", "contentHash",
  "lastTrackingAt", "lastTrackingKind", "lastSignoffKind", items, history, "createdAt", "updatedAt")
SELECT 'o' || lpad(i::text, 10, '0'), 'SO2026' || lpad(i::text, 10, '0'),
  (ARRAY['tmall','jd','pdd','douyin','own'])[1 + i % 5],
  s.status, s.paid + interval '20 hours', '买家' || i, 'tb' || i, s.phone, right(s.phone, 4),
  '浙江省杭州市西湖区文三路' || (i % 999) || '号', 1000 + (i % 50000), s.paid - interval '10 minutes', s.paid,
  CASE WHEN s.shipped THEN (ARRAY['sf','zto','yto','jd'])[1 + i % 4] END,
  CASE WHEN s.shipped THEN 'SF' || lpad(i::text, 13, '0') END, CASE WHEN i % 500 = 0 THEN 3 ELSE 0 END, md5(i::text),
  CASE WHEN s.status = 'signed' THEN s.paid + interval '40 hours' WHEN s.shipped THEN s.paid + interval '20 hours' END,
  CASE WHEN s.status = 'signed' THEN 'signed' WHEN s.shipped THEN 'transit' END,
  CASE WHEN s.status = 'signed' THEN (ARRAY['electronic','locker','photo','otp'])[1 + i % 4] END,
  (CASE WHEN i % 5 = 0 THEN '[{"sku":"SKU1","name":"商品1","qty":1,"priceCents":500},'
      || '{"sku":"SKU2","name":"商品2","qty":1,"priceCents":500}]'
    ELSE '[{"sku":"SKU1","name":"商品1","qty":1,"priceCents":500}]' END)::json,
  (SELECT json_agg(json_build_object('status', st.s, 'at',
      round(extract(epoch FROM s.paid + st.h * interval '1 hour') * 1000)::bigint, 'source', 'import') ORDER BY st.h)
   FROM (VALUES ('paid', 0), ('approved', 2), ('shipped', 20), ('signed', 60)) st(s, h)
   WHERE st.s = 'paid' OR (s.shipped AND (st.s <> 'signed' OR s.status = 'signed'))),
  ${BASE}, ${BASE}
FROM generate_series(1, ${n}) i,
LATERAL (SELECT
  CASE WHEN i % 100 < 70 THEN 'signed' WHEN i % 100 < 80 THEN 'shipped' WHEN i % 100 < 85 THEN 'paid'
       WHEN i % 100 < 90 THEN 'approved' WHEN i % 100 < 95 THEN 'cancelled' ELSE 'picked' END AS status,
  i % 100 < 80 AS shipped,
  CASE WHEN i % 100 < 70 THEN ${BASE} - ((i % 720) + 80) * interval '1 hour'
       WHEN i % 100 < 80 THEN ${BASE} - ((i % 90) + 21) * interval '1 hour'
       ELSE ${BASE} - (i % 30) * interval '1 hour' END AS paid,
  '13' || lpad(((i::bigint * 7919) % 1000000000)::text, 9, '0') AS phone) s`;

/** E events over the shipped orders, K per order, newest = the order's lastTrackingAt. */
const EVENTS = (e: number) => `
WITH shipped AS (SELECT id, "trackingNo", carrier, "lastTrackingAt", "lastTrackingKind", "lastSignoffKind",
    row_number() OVER (ORDER BY id) AS s FROM "Order" WHERE "trackingNo" IS NOT NULL),
k AS (SELECT ceil(${e}::numeric / greatest(count(*), 1))::int AS k FROM shipped)
INSERT INTO "LogisticsEvent" (id, "orderId", carrier, "trackingNo", at, location, description, kind, "signoffKind",
  network, "createdAt")
SELECT 'l' || sh.id || '-' || lpad(j::text, 3, '0'), sh.id, sh.carrier, sh."trackingNo",
  sh."lastTrackingAt" - (k.k - j) * interval '3 hours', '杭州市',
  CASE WHEN j = k.k AND sh."lastTrackingKind" = 'signed' THEN '已签收' ELSE '快件已到达 转运中心 第' || j || '站' END,
  CASE WHEN j = k.k THEN sh."lastTrackingKind" WHEN j = 1 THEN 'pickup' ELSE 'transit' END,
  CASE WHEN j = k.k THEN sh."lastSignoffKind" END, '西湖区营业部', ${BASE}
FROM shipped sh, k, generate_series(1, k.k) j
WHERE (sh.s - 1) * k.k + j <= ${e}`;

const TABLES = ['Order', 'LogisticsEvent'];

interface Saved {
  indexes: string[];
  constraints: { table: string; name: string; def: string }[];
}

async function dropForLoad(sql: BulkSql): Promise<Saved> {
  const indexes = await sql.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)
     AND indexname NOT LIKE '%_pkey'`,
    [TABLES],
  );
  const constraints = await sql.query<{ table: string; name: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
     AND (c.conrelid::regclass::text = ANY($1) OR c.confrelid::regclass::text = ANY($1))`,
    [TABLES.map((t) => `"${t}"`)],
  );
  for (const c of constraints) await sql.query(`ALTER TABLE ${c.table} DROP CONSTRAINT "${c.name}"`);
  for (const i of indexes) await sql.query(`DROP INDEX "${i.indexname}"`);
  return { indexes: indexes.map((i) => i.indexdef), constraints };
}

async function restore(sql: BulkSql, saved: Saved): Promise<void> {
  for (const def of saved.indexes) await sql.query(def);
  for (const c of saved.constraints) await sql.query(`ALTER TABLE ${c.table} ADD CONSTRAINT "${c.name}" ${c.def}`);
}

/** Load `orders` orders and `events` logistics events; returns seconds per step. */
export async function bulkLoad(sql: BulkSql, orders: number, events: number): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  const step = async (name: string, text: string) => {
    const t = performance.now();
    await sql.query(text);
    times[name] = (performance.now() - t) / 1000;
  };
  await sql.query(`SET synchronous_commit = off`);
  await sql.query(`SET maintenance_work_mem = '512MB'`);
  const saved = await dropForLoad(sql);
  await step('orders', ORDERS(orders));
  await step('events', EVENTS(events));
  const t = performance.now();
  await restore(sql, saved);
  times.indexes = (performance.now() - t) / 1000;
  await step('analyze', 'ANALYZE');
  return times;
}
