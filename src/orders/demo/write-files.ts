import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DemoData } from './generate.ts';

export const ORDER_COLUMNS = [
  'order_no',
  'source',
  'status',
  'buyer_name',
  'buyer_id',
  'phone',
  'address',
  'amount',
  'ordered_at',
  'paid_at',
  'approved_at',
  'picked_at',
  'shipped_at',
  'signed_at',
  'cancelled_at',
  'refunded_at',
  'carrier',
  'tracking_no',
  'promised_ship_by',
  'estimated_delivery_at',
  'address_change_count',
  'items',
] as const;

export const LOGISTICS_COLUMNS = [
  'tracking_no',
  'carrier',
  'at',
  'kind',
  'description',
  'location',
  'signoff_kind',
  'network',
  'order_no',
] as const;

/** RFC 4180 quoting: only when needed, doubling inner quotes. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(columns: readonly string[], row: Record<string, unknown>): string {
  return `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
}

/** Streams rows to a file, respecting back-pressure (a million rows must not sit in memory as text). */
export async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  for (const line of lines) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function* csvRows(columns: readonly string[], rows: readonly Record<string, unknown>[]): Generator<string> {
  yield `${columns.join(',')}\n`;
  for (const r of rows) yield csvLine(columns, r);
}

function* jsonlRows(rows: readonly Record<string, unknown>[]): Generator<string> {
  for (const r of rows) yield `${JSON.stringify(r)}\n`;
}

/** Writes orders and logistics files into `dir` (CSV with a header row, or JSON Lines); returns their paths. */
export async function writeDemoFiles(
  data: DemoData,
  dir: string,
  format: 'csv' | 'jsonl' = 'csv',
): Promise<{ orders: string; logistics: string }> {
  const orders = path.join(dir, `orders.${format}`);
  const logistics = path.join(dir, `logistics.${format}`);
  if (format === 'csv') {
    await writeLines(orders, csvRows(ORDER_COLUMNS, data.orders));
    await writeLines(logistics, csvRows(LOGISTICS_COLUMNS, data.logistics));
  } else {
    await writeLines(orders, jsonlRows(data.orders));
    await writeLines(logistics, jsonlRows(data.logistics));
  }
  return { orders, logistics };
}
