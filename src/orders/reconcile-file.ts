import { type ReconReport, type ReconRow, reconcile } from '../domain/orders/reconcile.ts';
import type { Sql } from '../store/db.ts';
import { ts } from '../store/sql-time.ts';
import { parseInstant, parseYuan } from './fields.ts';
import { detectFormat, readRows } from './read-rows.ts';

/**
 * `aftersales reconcile <export>`: read a platform export (CSV/JSONL with order_no, paid_at, amount, and
 * optionally items/skus and buyer_id), load our side — the same order numbers plus every order paid inside
 * the export's time span — and compare (domain/orders/reconcile.ts).
 */

export interface ReconcileResult {
  report: ReconReport;
  unreadable: { line: number; error: string }[];
  window?: { from: Date; to: Date };
}

function skusOf(record: Record<string, unknown>): string[] | undefined {
  const raw = record.skus ?? record.items;
  if (typeof raw === 'string' && raw.trim().startsWith('[')) {
    try {
      return (JSON.parse(raw) as { sku?: unknown }[]).map((i) => String(i.sku ?? ''));
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(raw)) return raw.map((i) => String((i as { sku?: unknown }).sku ?? i));
  if (typeof raw === 'string' && raw.trim())
    return raw
      .split(/[|,;，]/)
      .map((s) => s.trim())
      .filter(Boolean);
  return undefined;
}

function toReconRow(line: number, r: Record<string, unknown>): ReconRow | string {
  const orderNo = typeof r.order_no === 'string' ? r.order_no.trim() : String(r.order_no ?? '');
  if (!orderNo) return '缺少 order_no';
  const paidAt = r.paid_at === undefined || r.paid_at === '' ? undefined : parseInstant(r.paid_at);
  if (r.paid_at && !paidAt) return `paid_at「${String(r.paid_at)}」不是有效时间`;
  const amount = r.amount_cents !== undefined && r.amount_cents !== '' ? Number(r.amount_cents) : parseYuan(r.amount);
  const buyer = typeof r.buyer_id === 'string' && r.buyer_id.trim() ? r.buyer_id.trim() : undefined;
  return { orderNo, line, paidAt, amountCents: amount, skus: skusOf(r), buyerId: buyer };
}

const OURS = `
SELECT o."orderNo", (extract(epoch FROM o."paidAt") * 1000)::float8 AS paid, o."amountCents", o."buyerPlatformId",
  (SELECT array_agg(i->>'sku' ORDER BY i->>'sku') FROM json_array_elements(o.items) i) AS skus
FROM "Order" o WHERE `;

async function loadOurs(sql: Sql, orderNos: string[], window: ReconcileResult['window'], sources: string[]) {
  type Row = {
    orderNo: string;
    paid: number | null;
    amountCents: number;
    buyerPlatformId: string | null;
    skus: string[] | null;
  };
  const rows = await sql.query<Row>(`${OURS} o."orderNo" = ANY($1::text[])`, [orderNos]);
  if (window) {
    const params: unknown[] = [ts(window.from), ts(window.to)];
    const bySource = sources.length ? ` AND o.source = ANY($3::text[])` : '';
    if (sources.length) params.push(sources);
    rows.push(
      ...(await sql.query<Row>(`${OURS} o."paidAt" BETWEEN $1::timestamp(3) AND $2::timestamp(3)${bySource}`, params)),
    );
  }
  const byNo = new Map<string, ReconRow>();
  for (const r of rows) {
    byNo.set(r.orderNo, {
      orderNo: r.orderNo,
      paidAt: r.paid === null ? undefined : new Date(Number(r.paid)),
      amountCents: Number(r.amountCents),
      skus: r.skus ?? [],
      buyerId: r.buyerPlatformId ?? undefined,
    });
  }
  return [...byNo.values()];
}

/** Compare an export file with our orders. `sources` limits "only ours" to those channels (e.g. tmall). */
export async function reconcileFile(
  sql: Sql,
  file: string,
  opts: { format?: string; sources?: string[] } = {},
): Promise<ReconcileResult> {
  const theirs: ReconRow[] = [];
  const unreadable: ReconcileResult['unreadable'] = [];
  for await (const row of readRows(file, detectFormat(file, opts.format))) {
    const parsed = row.record ? toReconRow(row.line, row.record) : (row.error ?? '无法读取');
    if (typeof parsed === 'string') unreadable.push({ line: row.line, error: parsed });
    else theirs.push(parsed);
  }
  const times = theirs.flatMap((r) => (r.paidAt ? [r.paidAt.getTime()] : []));
  const window = times.length ? { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) } : undefined;
  const ours = await loadOurs(
    sql,
    theirs.map((r) => r.orderNo),
    window,
    opts.sources ?? [],
  );
  return { report: reconcile(ours, theirs), unreadable, window };
}
