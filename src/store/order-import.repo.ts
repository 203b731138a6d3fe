import type { OrderInput } from '../orders/order-row.ts';
import type { Sql } from './db.ts';
import { sortableId } from './sortable-id.ts';
import { ts } from './sql-time.ts';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * One statement per batch writes the orders, their items and their status history, so a batch is stored
 * whole or not at all (no order without its items), on PostgreSQL and PGlite alike, without holding a
 * client for a transaction. The batch travels as three JSON parameters, whatever its size. Order ids are time-ordered
 * ({@link sortableId}); item and status-event ids derive from the order id and their natural keys.
 *
 * Idempotency: an order whose content hash is unchanged is not touched (updatedAt stays), and its
 * children are only written for orders the upsert returned. Optional fields missing from a row keep their
 * stored value, so an ERP may push only what changed (e.g. status + tracking).
 */
const MS = (col: string) => `(to_timestamp(${col} / 1000.0) AT TIME ZONE 'UTC')::timestamp(3)`;

const UPSERT_ORDERS = `
WITH input AS (
  SELECT n AS order_no, src AS source, st AS status, ${MS('sa')} AS status_at, bn AS buyer_name, bi AS buyer_id,
    ph AS phone, l4 AS last4, ad AS address, am AS amount, ${MS('oa')} AS ordered_at, ${MS('pa')} AS paid_at,
    ca AS carrier, tn AS tracking_no, ${MS('sb')} AS ship_by, ${MS('eta')} AS eta, ac AS address_changes, h AS hash,
    id AS new_id
  FROM json_to_recordset($1::json) AS t(n text, src text, st text, sa float8, bn text, bi text, ph text, l4 text,
    ad text, am int, oa float8, pa float8, ca text, tn text, sb float8, eta float8, ac int, h text, id text)
),
up AS (
  INSERT INTO "Order" AS o (id, "orderNo", source, status, "statusAt", "buyerName", "buyerPlatformId", phone, "phoneLast4",
    address, "amountCents", "orderedAt", "paidAt", carrier, "trackingNo", "promisedShipBy", "estimatedDeliveryAt",
    "addressChangeCount", "contentHash", "lastTrackingAt", "lastTrackingKind", "lastSignoffKind", "createdAt", "updatedAt")
  SELECT i.new_id, i.order_no, i.source, i.status, COALESCE(i.status_at, $4::timestamp(3)), i.buyer_name,
    i.buyer_id, i.phone, i.last4, i.address, i.amount, i.ordered_at, i.paid_at, i.carrier, i.tracking_no, i.ship_by, i.eta,
    COALESCE(i.address_changes, 0), i.hash, lt.at, lt.kind, lt."signoffKind", $4::timestamp(3), $4::timestamp(3)
  FROM input i
  LEFT JOIN LATERAL (SELECT at, kind, "signoffKind" FROM "LogisticsEvent" e WHERE e."trackingNo" = i.tracking_no
    ORDER BY at DESC LIMIT 1) lt ON true
  ON CONFLICT ("orderNo") DO UPDATE SET
    source = EXCLUDED.source,
    status = EXCLUDED.status,
    "statusAt" = CASE WHEN o.status = EXCLUDED.status AND EXCLUDED."statusAt" = $4::timestamp(3)
      THEN o."statusAt" ELSE EXCLUDED."statusAt" END,
    "buyerName" = COALESCE(EXCLUDED."buyerName", o."buyerName"),
    "buyerPlatformId" = COALESCE(EXCLUDED."buyerPlatformId", o."buyerPlatformId"),
    phone = COALESCE(EXCLUDED.phone, o.phone),
    "phoneLast4" = COALESCE(EXCLUDED."phoneLast4", o."phoneLast4"),
    address = COALESCE(EXCLUDED.address, o.address),
    "amountCents" = EXCLUDED."amountCents",
    "orderedAt" = COALESCE(EXCLUDED."orderedAt", o."orderedAt"),
    "paidAt" = COALESCE(EXCLUDED."paidAt", o."paidAt"),
    carrier = COALESCE(EXCLUDED.carrier, o.carrier),
    "trackingNo" = COALESCE(EXCLUDED."trackingNo", o."trackingNo"),
    "promisedShipBy" = COALESCE(EXCLUDED."promisedShipBy", o."promisedShipBy"),
    "estimatedDeliveryAt" = COALESCE(EXCLUDED."estimatedDeliveryAt", o."estimatedDeliveryAt"),
    "addressChangeCount" = GREATEST(EXCLUDED."addressChangeCount", o."addressChangeCount" +
      CASE WHEN EXCLUDED.address IS NOT NULL AND o.address IS NOT NULL AND EXCLUDED.address <> o.address THEN 1 ELSE 0 END),
    "contentHash" = EXCLUDED."contentHash",
    "lastTrackingAt" = CASE WHEN EXCLUDED."trackingNo" IS NULL THEN o."lastTrackingAt" ELSE EXCLUDED."lastTrackingAt" END,
    "lastTrackingKind" = CASE WHEN EXCLUDED."trackingNo" IS NULL THEN o."lastTrackingKind" ELSE EXCLUDED."lastTrackingKind" END,
    "lastSignoffKind" = CASE WHEN EXCLUDED."trackingNo" IS NULL THEN o."lastSignoffKind" ELSE EXCLUDED."lastSignoffKind" END,
    "updatedAt" = EXCLUDED."updatedAt"
  WHERE o."contentHash" IS DISTINCT FROM EXCLUDED."contentHash"
  RETURNING o.id, o."orderNo", o.status, o."statusAt", o."trackingNo", (xmax = 0) AS inserted
),
items_in AS (
  SELECT o AS order_no, k AS sku, n AS name, q AS qty, p AS price
  FROM json_to_recordset($2::json) AS t(o text, k text, n text, q int, p int)
),
items_given AS (SELECT DISTINCT order_no FROM items_in),
del_items AS (
  DELETE FROM "OrderItem" oi USING up JOIN items_given g ON g.order_no = up."orderNo"
  WHERE oi."orderId" = up.id AND NOT up.inserted
    AND NOT EXISTS (SELECT 1 FROM items_in x WHERE x.order_no = up."orderNo" AND x.sku = oi.sku)
),
ins_items AS (
  INSERT INTO "OrderItem" (id, "orderId", sku, name, qty, "priceCents")
  SELECT up.id || ':' || x.sku, up.id, x.sku, x.name, x.qty, x.price FROM items_in x JOIN up ON up."orderNo" = x.order_no
  ON CONFLICT ("orderId", sku) DO UPDATE SET name = EXCLUDED.name, qty = EXCLUDED.qty, "priceCents" = EXCLUDED."priceCents"
),
ev AS (
  SELECT up.id AS order_id, e.s AS status, ${MS('e.a')} AS at FROM json_to_recordset($3::json) AS e(o text, s text, a float8)
  JOIN up ON up."orderNo" = e.o
  UNION
  SELECT up.id, up.status, up."statusAt" FROM up WHERE up."statusAt" IS NOT NULL
),
ins_ev AS (
  INSERT INTO "OrderStatusEvent" (id, "orderId", status, at, source)
  SELECT order_id || ':' || status || ':' || floor(extract(epoch FROM at) * 1000)::bigint, order_id, status, at, $5 FROM ev
  ON CONFLICT ("orderId", status, at) DO NOTHING
),
link AS (
  UPDATE "LogisticsEvent" le SET "orderId" = up.id FROM up
  WHERE up."trackingNo" IS NOT NULL AND le."trackingNo" = up."trackingNo" AND le."orderId" IS NULL
)
SELECT "orderNo", inserted FROM up`;

const ms = (d: Date | undefined) => (d ? d.getTime() : null);

/**
 * The batch as three JSON documents (orders, items, status events). JSON.stringify is native and fast;
 * pg's per-element array escaping was the import's largest cost after CSV parsing.
 */
function batchParams(rows: OrderInput[]): [string, string, string] {
  const orders = rows.map((r) => ({
    n: r.orderNo,
    src: r.source,
    st: r.status,
    sa: ms(r.statusAt),
    bn: r.buyerName,
    bi: r.buyerPlatformId,
    ph: r.phone,
    l4: r.phoneLast4,
    ad: r.address,
    am: r.amountCents,
    oa: ms(r.orderedAt),
    pa: ms(r.paidAt),
    ca: r.carrier,
    tn: r.trackingNo,
    sb: ms(r.promisedShipBy),
    eta: ms(r.estimatedDeliveryAt),
    ac: r.addressChangeCount,
    h: r.contentHash,
    id: sortableId('o'),
  }));
  const items = rows.flatMap((r) =>
    r.items.map((i) => ({ o: r.orderNo, k: i.sku, n: i.name, q: i.qty, p: i.priceCents })),
  );
  const events = rows.flatMap((r) => r.history.map((h) => ({ o: r.orderNo, s: h.status, a: h.at.getTime() })));
  return [JSON.stringify(orders), JSON.stringify(items), JSON.stringify(events)];
}

/**
 * Upsert a batch (order numbers must be distinct within it). Returns the outcome per order number.
 * `source` tags the status events ("import" for files, "api" for the ERP endpoint).
 */
export async function upsertOrders(
  sql: Sql,
  rows: OrderInput[],
  opts: { now: Date; source: string },
): Promise<Map<string, UpsertOutcome>> {
  const outcome = new Map<string, UpsertOutcome>(rows.map((r) => [r.orderNo, 'unchanged']));
  if (rows.length === 0) return outcome;
  const params = [...batchParams(rows), ts(opts.now), opts.source];
  const written = await sql.query<{ orderNo: string; inserted: boolean }>(UPSERT_ORDERS, params);
  for (const w of written) outcome.set(w.orderNo, w.inserted ? 'created' : 'updated');
  return outcome;
}
