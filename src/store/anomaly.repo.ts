import type { RadarStore } from '../app/order-ports.ts';
import type { Finding } from '../domain/orders/anomalies.ts';
import type { Sql } from './db.ts';
import { sortableId } from './sortable-id.ts';
import { ts } from './sql-time.ts';

/**
 * The anomaly radar's storage. The scan walks the Order primary key (a cursor persisted in SyncCursor) and
 * reads only Order columns: the logistics import keeps the latest-tracking columns there, so a pass over
 * 1M orders needs no join against 10M logistics events. Times come back as epoch milliseconds (cheaper
 * to parse than timestamps, and zone-proof).
 */

const CURSOR_ID = 'anomaly-radar';
const epoch = (c: string) => `(extract(epoch FROM "${c}") * 1000)::float8 AS "${c}"`;

const SCAN = `
SELECT id, "orderNo", status, phone, carrier, "trackingNo", "addressChangeCount", "lastTrackingKind",
  ${['statusAt', 'paidAt', 'orderedAt', 'lastTrackingAt'].map(epoch).join(', ')}
FROM "Order" WHERE id > $1 ORDER BY id LIMIT $2`;

const BUYERS = `
SELECT phone,
  count(*) FILTER (WHERE status = 'cancelled' AND COALESCE("orderedAt", "createdAt") >= $2::timestamp(3)) AS cancels,
  (array_agg(id ORDER BY COALESCE("orderedAt", "createdAt") DESC)
    FILTER (WHERE status NOT IN ('cancelled', 'closed', 'refunded')))[1] AS latest
FROM "Order" WHERE phone = ANY($1::text[]) GROUP BY phone`;

const RECORD = `
INSERT INTO "AnomalyFinding" AS f (id, "orderId", kind, fingerprint, status, detail, "firstSeenAt", "lastSeenAt")
SELECT i.id, i."orderId", i.kind, i.fingerprint, 'open', i.detail, $2::timestamp(3), $2::timestamp(3)
FROM json_to_recordset($1::json) AS i(id text, "orderId" text, kind text, fingerprint text, detail jsonb)
ON CONFLICT ("orderId", kind, fingerprint) DO UPDATE SET status = 'open', "resolvedAt" = NULL, "lastSeenAt" = EXCLUDED."lastSeenAt"
WHERE f.status = 'resolved'
RETURNING "orderId", kind, fingerprint`;

type ScanRow = Record<string, string | number | null>;
const date = (v: string | number | null | undefined) =>
  v === null || v === undefined ? undefined : new Date(Number(v));
const text = (v: string | number | null | undefined) => (v === null || v === undefined ? undefined : String(v));

export function createRadarStore(sql: Sql): RadarStore {
  return {
    async loadCursor() {
      const rows = await sql.query<{ cursor: string }>(`SELECT cursor FROM "SyncCursor" WHERE id = $1`, [CURSOR_ID]);
      return rows[0]?.cursor || undefined;
    },
    async saveCursor(cursor) {
      await sql.query(
        `INSERT INTO "SyncCursor" (id, cursor, "updatedAt") VALUES ($1, $2, $3::timestamp(3))
         ON CONFLICT (id) DO UPDATE SET cursor = EXCLUDED.cursor, "updatedAt" = EXCLUDED."updatedAt"`,
        [CURSOR_ID, cursor ?? '', ts(new Date())],
      );
    },
    async scan(afterId, limit) {
      const rows = await sql.query<ScanRow>(SCAN, [afterId ?? '', limit]);
      return rows.map((r) => ({
        id: String(r.id),
        orderNo: String(r.orderNo),
        status: String(r.status),
        phone: text(r.phone),
        carrier: text(r.carrier),
        trackingNo: text(r.trackingNo),
        addressChangeCount: Number(r.addressChangeCount),
        lastTrackingKind: text(r.lastTrackingKind),
        statusAt: date(r.statusAt),
        paidAt: date(r.paidAt),
        orderedAt: date(r.orderedAt),
        lastTrackingAt: date(r.lastTrackingAt),
      }));
    },
    async buyerHistory(phones, since) {
      const out = new Map<string, { cancels: number; latestLiveId?: string }>();
      if (phones.length === 0) return out;
      const rows = await sql.query<{ phone: string; cancels: string | number; latest: string | null }>(BUYERS, [
        phones,
        ts(since),
      ]);
      for (const r of rows) out.set(r.phone, { cancels: Number(r.cancels), latestLiveId: r.latest ?? undefined });
      return out;
    },
    async openFindings(orderIds) {
      if (orderIds.length === 0) return [];
      return sql.query(
        `SELECT id, "orderId", kind, fingerprint FROM "AnomalyFinding" WHERE status = 'open' AND "orderId" = ANY($1::text[])`,
        [orderIds],
      );
    },
    async recordFindings(findings: Finding[], now) {
      if (findings.length === 0) return [];
      const payload = findings.map((f) => ({
        id: sortableId('f'),
        orderId: f.orderId,
        kind: f.kind,
        fingerprint: f.fingerprint,
        detail: { ...f.detail, orderNo: f.orderNo, group: f.group, text: f.text },
      }));
      const rows = await sql.query<{ orderId: string; kind: string; fingerprint: string }>(RECORD, [
        JSON.stringify(payload),
        ts(now),
      ]);
      const key = (f: { orderId: string; kind: string; fingerprint: string }) =>
        `${f.orderId}|${f.kind}|${f.fingerprint}`;
      const fresh = new Set(rows.map(key));
      return findings.filter((f) => fresh.has(key(f)));
    },
    async resolveFindings(ids, now) {
      if (ids.length === 0) return;
      await sql.query(
        `UPDATE "AnomalyFinding" SET status = 'resolved', "resolvedAt" = $2::timestamp(3) WHERE id = ANY($1::text[])`,
        [ids, ts(now)],
      );
    },
  };
}
