import type { OrderInput } from '../orders/order-row.ts';
import type { Sql } from './db.ts';
import { sortableId } from './sortable-id.ts';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * One statement per batch writes the orders with their items and status history (JSON columns on the order),
 * so a batch is stored whole or not at all, on PostgreSQL and PGlite alike, without holding a client for a
 * transaction. The batch travels as one JSON parameter, whatever its size. Order ids are time-ordered
 * ({@link sortableId}).
 *
 * Idempotency: an order whose content hash is unchanged is not touched (updatedAt stays). Optional fields
 * missing from a row keep their stored value, so an ERP may push only what changed (e.g. status + tracking);
 * a row without items keeps the stored items; status history is merged (one entry per status and time, the
 * first writer's source kept).
 */
const MS = (col: string) => `(to_timestamp(${col} / 1000.0) AT TIME ZONE 'UTC')::timestamp(3)`;

/** Stored history ∪ the row's entries, one per (status, at), oldest first; $2 is `now`, $3 the same in epoch ms. */
const MERGED_HISTORY = `(
  SELECT COALESCE(json_agg(m.e ORDER BY (m.e->>'at')::float8, m.e->>'status'), '[]'::json) FROM (
    SELECT DISTINCT ON (u.e->>'status', (u.e->>'at')::float8) u.e FROM (
      SELECT e, 0 AS pri FROM json_array_elements(o.history) e
      UNION ALL
      -- the entry implied for a status given without a time is dropped when the status did not change
      SELECT e, 1 FROM json_array_elements(EXCLUDED.history) e
      WHERE NOT (o.status = EXCLUDED.status AND EXCLUDED."statusAt" = $2::timestamp(3)
        AND e->>'status' = EXCLUDED.status AND (e->>'at')::float8 = $3::float8)
    ) u ORDER BY u.e->>'status', (u.e->>'at')::float8, u.pri) m)`;

const UPSERT_ORDERS = `
WITH input AS (
  SELECT n AS order_no, src AS source, st AS status, ${MS('sa')} AS status_at, bn AS buyer_name, bi AS buyer_id,
    ph AS phone, l4 AS last4, ad AS address, am AS amount, ${MS('oa')} AS ordered_at, ${MS('pa')} AS paid_at,
    ca AS carrier, tn AS tracking_no, ${MS('sb')} AS ship_by, ${MS('eta')} AS eta, ac AS address_changes, h AS hash,
    id AS new_id, it AS items, hi AS history
  FROM json_to_recordset($1::json) AS t(n text, src text, st text, sa float8, bn text, bi text, ph text, l4 text,
    ad text, am int, oa float8, pa float8, ca text, tn text, sb float8, eta float8, ac int, h text, id text,
    it json, hi json)
),
up AS (
  INSERT INTO "Order" AS o (id, "orderNo", source, status, "statusAt", "buyerName", "buyerPlatformId", phone, "phoneLast4",
    address, "amountCents", "orderedAt", "paidAt", carrier, "trackingNo", "promisedShipBy", "estimatedDeliveryAt",
    "addressChangeCount", "contentHash", "lastTrackingAt", "lastTrackingKind", "lastSignoffKind", items, history,
    "createdAt", "updatedAt")
  SELECT i.new_id, i.order_no, i.source, i.status, COALESCE(i.status_at, $2::timestamp(3)), i.buyer_name,
    i.buyer_id, i.phone, i.last4, i.address, i.amount, i.ordered_at, i.paid_at, i.carrier, i.tracking_no, i.ship_by, i.eta,
    COALESCE(i.address_changes, 0), i.hash, lt.at, lt.kind, lt."signoffKind", i.items, i.history,
    $2::timestamp(3), $2::timestamp(3)
  FROM input i
  LEFT JOIN LATERAL (SELECT at, kind, "signoffKind" FROM "LogisticsEvent" e WHERE e."trackingNo" = i.tracking_no
    ORDER BY at DESC LIMIT 1) lt ON i.tracking_no IS NOT NULL
  ON CONFLICT ("orderNo") DO UPDATE SET
    source = EXCLUDED.source,
    status = EXCLUDED.status,
    "statusAt" = CASE WHEN o.status = EXCLUDED.status AND EXCLUDED."statusAt" = $2::timestamp(3)
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
    items = CASE WHEN json_array_length(EXCLUDED.items) > 0 THEN EXCLUDED.items ELSE o.items END,
    history = ${MERGED_HISTORY},
    "updatedAt" = EXCLUDED."updatedAt"
  WHERE o."contentHash" IS DISTINCT FROM EXCLUDED."contentHash"
  RETURNING o.id, o."orderNo", o."trackingNo", (xmax = 0) AS inserted
),
link AS (
  UPDATE "LogisticsEvent" le SET "orderId" = up.id FROM up
  WHERE up."trackingNo" IS NOT NULL AND le."trackingNo" = up."trackingNo" AND le."orderId" IS NULL
)
SELECT "orderNo", inserted FROM up`;

const ms = (d: Date | undefined) => (d ? d.getTime() : null);

interface HistoryEntry {
  status: string;
  /** epoch ms (no date text to build or parse per entry: this runs ~4 times per imported row) */
  at: number;
  source: string;
}

/**
 * The row's status history as stored: oldest first, tagged with the source. A status given without a time is
 * recorded as entered now (the statement drops that implied entry when the status did not change).
 */
function historyOf(r: OrderInput, now: number, source: string): HistoryEntry[] {
  const out = r.history.map((h) => ({ status: h.status, at: h.at.getTime(), source }));
  if (!r.statusAt) {
    const implied = { status: r.status, at: now, source };
    let i = out.length;
    while (i > 0 && (out[i - 1] as HistoryEntry).at > now) i--;
    out.splice(i, 0, implied);
  }
  return out;
}

const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/** The batch as one JSON document. JSON.stringify is native and fast; pg's array escaping was not. */
function batchParam(rows: OrderInput[], now: number, source: string): string {
  return JSON.stringify(
    rows.map((r) => ({
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
      it: r.items.length > 1 ? [...r.items].sort(bySku) : r.items,
      hi: historyOf(r, now, source),
    })),
  );
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
  const params = [batchParam(rows, opts.now.getTime(), opts.source), opts.now.toISOString(), opts.now.getTime()];
  const written = await sql.query<{ orderNo: string; inserted: boolean }>(UPSERT_ORDERS, params, { prepare: true });
  for (const w of written) outcome.set(w.orderNo, w.inserted ? 'created' : 'updated');
  return outcome;
}
