import v8 from 'node:v8';
import { type Clock, systemClock } from '../app/ports.ts';
import { openBulkSql } from '../store/bulk-session.ts';
import type { Database, Sql } from '../store/db.ts';
import { eventKey, insertLogisticsEvents } from '../store/logistics-import.repo.ts';
import { upsertOrders } from '../store/order-import.repo.ts';
import { type ImportPipeline, type ImportReport, runImport } from './import-runner.ts';
import { type LogisticsInput, toLogisticsInput } from './logistics-row.ts';
import { type OrderInput, toOrderInput } from './order-row.ts';
import { detectFormat, fileSize, readRows } from './read-rows.ts';

export type ImportKind = 'orders' | 'logistics';

/** Orders: keyed by order no; `source` tags the status events ("import", "api"). */
export function orderPipeline(sql: Sql, opts: { clock?: Clock; source?: string } = {}): ImportPipeline<OrderInput> {
  const clock = opts.clock ?? systemClock;
  return {
    validate: toOrderInput,
    key: (o) => o.orderNo,
    write: (batch) => upsertOrders(sql, batch, { now: clock.now(), source: opts.source ?? 'import' }),
  };
}

/** Logistics events: keyed by tracking no + time + description, the table's unique key. */
export function logisticsPipeline(sql: Sql, opts: { clock?: Clock } = {}): ImportPipeline<LogisticsInput> {
  const clock = opts.clock ?? systemClock;
  return {
    validate: toLogisticsInput,
    key: eventKey,
    write: (batch) => insertLogisticsEvents(sql, batch, { now: clock.now() }),
  };
}

export interface ImportFileOptions {
  format?: string;
  clock?: Clock;
  batchSize?: number;
  /** Batches in flight; 2 suits PostgreSQL (parse and write overlap), PGlite has one connection. */
  concurrency?: number;
  /** Called with (bytesRead, totalBytes, rowsDone) as the file is read. */
  onProgress?: (bytes: number, totalBytes: number, rows: number) => void;
}

/**
 * For a process that is about to import a large file (the `aftersales import` CLI): a file import
 * allocates a few KB of short-lived objects per row; with V8's default young generation (16 MB
 * semi-spaces) the scavenger promotes and re-scans them over and over — GC was 13–21 % of the import's
 * CPU. 64 MB semi-spaces cut the import's CPU per row by ~20 % (66.7 → 53.1 µs, 100k-row demo export);
 * the cost is up to ~190 MB more RSS. Process-wide, so not applied by importFile itself: the server's
 * first-run demo import (300 orders) must not resize the serving process's heap.
 */
export function sizeHeapForBulkImport(): void {
  v8.setFlagsFromString('--max-semi-space-size=64');
}

/**
 * Import a CSV or JSONL file of orders or logistics events. Bad rows are reported with their line numbers
 * and never stop the good ones; each batch is written whole or not at all; re-importing changes nothing.
 */
export async function importFile(
  db: Pick<Database, 'raw' | 'sql'>,
  kind: ImportKind,
  file: string,
  opts: ImportFileOptions = {},
): Promise<ImportReport> {
  const format = detectFormat(file, opts.format);
  const total = await fileSize(file);
  const concurrency = opts.concurrency ?? (db.raw.kind === 'postgres' ? 2 : 1);
  let bytes = 0;
  let rows = 0;
  const tick = () => opts.onProgress?.(bytes, total, rows);
  const source = readRows(file, format, (n) => {
    bytes += n;
    tick();
  });
  const runOpts = {
    batchSize: opts.batchSize,
    concurrency,
    onRows: (n: number) => {
      rows += n;
      tick();
    },
  };
  const sql = await openBulkSql(db, concurrency);
  try {
    if (kind === 'orders') return await runImport(source, orderPipeline(sql, { clock: opts.clock }), runOpts);
    return await runImport(source, logisticsPipeline(sql, { clock: opts.clock }), runOpts);
  } finally {
    await sql.release();
  }
}
