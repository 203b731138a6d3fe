import type { LogisticsInput } from '../orders/logistics-row.ts';
import type { Sql } from './db.ts';
import { sortableId } from './sortable-id.ts';
import { ts } from './sql-time.ts';

/**
 * Logistics events in one statement per batch: insert (the unique tracking no + time + description makes a
 * re-import a no-op), link each event to its order (by order no when the feed has it, else by tracking
 * no), and move the order's denormalised latest-tracking columns forward, which is what lets the anomaly
 * radar scan one table. An event that arrives before its order stays unlinked until the order import
 * links it.
 */
const INSERT_EVENTS = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $11::text[]) AS t(tracking_no, carrier, at, description, kind, location, signoff, network, order_no, new_id)
),
ins AS (
  INSERT INTO "LogisticsEvent" (id, "orderId", carrier, "trackingNo", at, location, description, kind, "signoffKind",
    network, "createdAt")
  SELECT i.new_id, COALESCE(byno.id, bytracking.id), i.carrier, i.tracking_no, i.at, i.location,
    i.description, i.kind, i.signoff, i.network, $10::timestamp(3)
  FROM input i
  LEFT JOIN LATERAL (SELECT o.id FROM "Order" o WHERE o."orderNo" = i.order_no LIMIT 1) byno ON true
  LEFT JOIN LATERAL (SELECT o.id FROM "Order" o WHERE byno.id IS NULL AND o."trackingNo" = i.tracking_no
    ORDER BY o."createdAt" DESC LIMIT 1) bytracking ON true
  ON CONFLICT ("trackingNo", at, description) DO NOTHING
  RETURNING "orderId", "trackingNo", at, description, kind, "signoffKind"
),
latest AS (
  SELECT DISTINCT ON ("orderId") "orderId", at, kind, "signoffKind" FROM ins WHERE "orderId" IS NOT NULL
  ORDER BY "orderId", at DESC
),
upd AS (
  UPDATE "Order" o SET "lastTrackingAt" = l.at, "lastTrackingKind" = l.kind, "lastSignoffKind" = l."signoffKind",
    "updatedAt" = $10::timestamp(3)
  FROM latest l WHERE o.id = l."orderId" AND (o."lastTrackingAt" IS NULL OR o."lastTrackingAt" <= l.at)
)
SELECT "trackingNo", (extract(epoch FROM at) * 1000)::float8 AS at_ms, description, ("orderId" IS NOT NULL) AS linked
FROM ins`;

export type EventOutcome = 'created' | 'created_unlinked' | 'unchanged';

export function eventKey(e: { trackingNo: string; at: Date; description: string }): string {
  return `${e.trackingNo}|${e.at.getTime()}|${e.description}`;
}

/** Insert a batch of events; returns the outcome per {@link eventKey}. */
export async function insertLogisticsEvents(
  sql: Sql,
  rows: LogisticsInput[],
  opts: { now: Date },
): Promise<Map<string, EventOutcome>> {
  const outcome = new Map<string, EventOutcome>(rows.map((r) => [eventKey(r), 'unchanged']));
  if (rows.length === 0) return outcome;
  const params = [
    rows.map((r) => r.trackingNo),
    rows.map((r) => r.carrier),
    rows.map((r) => ts(r.at)),
    rows.map((r) => r.description),
    rows.map((r) => r.kind),
    rows.map((r) => r.location ?? null),
    rows.map((r) => r.signoffKind ?? null),
    rows.map((r) => r.network ?? null),
    rows.map((r) => r.orderNo ?? null),
    ts(opts.now),
    rows.map(() => sortableId('l')),
  ];
  const written = await sql.query<{ trackingNo: string; at_ms: number; description: string; linked: boolean }>(
    INSERT_EVENTS,
    params,
  );
  for (const w of written) {
    const key = eventKey({ trackingNo: w.trackingNo, at: new Date(Number(w.at_ms)), description: w.description });
    outcome.set(key, w.linked ? 'created' : 'created_unlinked');
  }
  return outcome;
}
