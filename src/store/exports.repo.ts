import type { ExportStore } from '../app/exports.ts';
import { type ExportFilter, type ExportOrder, type ExportRequest, exportWindow } from '../domain/orders/export.ts';
import type { Sql } from './db.ts';
import { toDate, ts, utcColumn } from './sql-time.ts';

/** 下单时间 as the filter reads it: the source's order time, else payment, else when the order reached us. */
const ORDER_TIME = `COALESCE("orderedAt", "paidAt", "createdAt")`;

/** The WHERE clause and parameters of a filter. */
function where(f: ExportFilter): { clause: string; params: unknown[] } {
  const { from, to } = exportWindow(f);
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  if (from) add(`${ORDER_TIME} >= ?::timestamp(3)`, ts(from));
  if (to) add(`${ORDER_TIME} < ?::timestamp(3)`, ts(to));
  if (f.status) add(`status = ?`, f.status);
  if (f.source) add(`source = ?`, f.source);
  return { clause: conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '', params };
}

interface RequestRow {
  id: number;
  filter: ExportFilter | string;
  count: number;
  requestedBy: string;
  status: ExportRequest['status'];
  decidedBy: string | null;
  decidedAt: unknown;
  reason: string | null;
  createdAt: unknown;
}

const REQUEST_COLUMNS = `id, filter, count, "requestedBy", status, "decidedBy", ${utcColumn('decidedAt')}, reason, ${utcColumn('createdAt')}`;

function toRequest(r: RequestRow): ExportRequest {
  const decidedAt = toDate(r.decidedAt);
  return {
    id: r.id,
    filter: typeof r.filter === 'string' ? (JSON.parse(r.filter) as ExportFilter) : r.filter,
    count: r.count,
    requestedBy: r.requestedBy,
    status: r.status,
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
    ...(decidedAt ? { decidedAt } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    createdAt: toDate(r.createdAt) ?? new Date(0),
  };
}

/** Orders for exports, and the export requests managers approve (migration 20261201000000_export_requests). */
export function createExportStore(sql: Sql): ExportStore {
  return {
    async countOrders(f) {
      const w = where(f);
      const rows = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Order" ${w.clause}`, w.params);
      return rows[0]?.n ?? 0;
    },
    async orders(f) {
      const w = where(f);
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT "orderNo", source, status, ${utcColumn('orderedAt')}, ${utcColumn('paidAt')}, "amountCents",
                "buyerName", phone, address, carrier, "trackingNo", items
         FROM "Order" ${w.clause} ORDER BY ${ORDER_TIME}, "orderNo"`,
        w.params,
      );
      return rows.map((r): ExportOrder => {
        const orderedAt = toDate(r.orderedAt);
        const paidAt = toDate(r.paidAt);
        const items = (typeof r.items === 'string' ? JSON.parse(r.items) : r.items) as ExportOrder['items'];
        const opt = (k: string) => (typeof r[k] === 'string' && r[k] ? { [k]: r[k] as string } : {});
        return {
          orderNo: String(r.orderNo),
          source: String(r.source),
          status: String(r.status),
          ...(orderedAt ? { orderedAt } : {}),
          ...(paidAt ? { paidAt } : {}),
          amountCents: Number(r.amountCents ?? 0),
          ...opt('buyerName'),
          ...opt('phone'),
          ...opt('address'),
          ...opt('carrier'),
          ...opt('trackingNo'),
          items: Array.isArray(items) ? items : [],
        };
      });
    },
    async createRequest(r) {
      const rows = await sql.query<RequestRow>(
        `INSERT INTO "ExportRequest" (kind, filter, count, "requestedBy") VALUES ('orders', $1::jsonb, $2, $3)
         RETURNING ${REQUEST_COLUMNS}`,
        [JSON.stringify(r.filter), r.count, r.requestedBy],
      );
      const row = rows[0];
      if (!row) throw new Error('export request insert returned nothing');
      return toRequest(row);
    },
    async request(id) {
      const rows = await sql.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM "ExportRequest" WHERE id = $1`, [id]);
      return rows[0] ? toRequest(rows[0]) : undefined;
    },
    async decide(id, d) {
      const rows = await sql.query<RequestRow>(
        `UPDATE "ExportRequest" SET status = $2, "decidedBy" = $3, "decidedAt" = $4::timestamp(3), reason = $5
         WHERE id = $1 AND status = 'pending' RETURNING ${REQUEST_COLUMNS}`,
        [id, d.status, d.by, ts(d.at), d.reason ?? null],
      );
      return rows[0] ? toRequest(rows[0]) : undefined;
    },
    async pending() {
      const rows = await sql.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM "ExportRequest" WHERE status = 'pending' ORDER BY id LIMIT 20`,
      );
      return rows.map(toRequest);
    },
    async toNotify() {
      const rows = await sql.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM "ExportRequest" WHERE status = 'pending' AND "notifiedAt" IS NULL
         ORDER BY id LIMIT 50`,
      );
      return rows.map(toRequest);
    },
    async markNotified(id, at) {
      await sql.query(`UPDATE "ExportRequest" SET "notifiedAt" = $2::timestamp(3) WHERE id = $1`, [id, ts(at)]);
    },
    async managerIds() {
      const rows = await sql.query<{ id: string }>(`SELECT id FROM "Staff" WHERE role = 'manager' ORDER BY id`);
      return rows.map((r) => r.id);
    },
  };
}
