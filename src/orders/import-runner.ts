import { CodedError, ErrorCode } from '../domain/errors.ts';
import type { RawRow } from './read-rows.ts';

/** What an import did; `rejected` lists rows with their line numbers and reasons (Chinese). */
export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Logistics events stored without a matching order yet. */
  unlinked: number;
  rejected: { line: number; key?: string; errors: string[] }[];
  /** Rejections beyond the kept list (the list is capped to bound memory). */
  rejectedNotListed: number;
  ms: number;
}

export type Outcome = 'created' | 'created_unlinked' | 'updated' | 'unchanged';

/** How one kind of row is validated, keyed and written. */
export interface ImportPipeline<T> {
  validate(raw: unknown): { ok: true; value: T } | { ok: false; errors: string[] };
  /** Rows with the same key in one batch would collide; the runner splits them into batches. */
  key(value: T): string;
  /** Write one batch atomically; returns the outcome per key. */
  write(batch: T[]): Promise<Map<string, Outcome>>;
}

export interface RunOptions {
  batchSize?: number;
  /** Batches written at once (PostgreSQL benefits from 2; keep 1 for PGlite). */
  concurrency?: number;
  maxListedRejections?: number;
  onRows?: (done: number) => void;
  /** Per-row outcome (the HTTP API answers row by row). */
  onOutcome?: (line: number, key: string | undefined, outcome: Outcome | 'rejected', errors?: string[]) => void;
}

interface Entry<T> {
  line: number;
  value: T;
}

const ROW_ERROR_CLASSES = ['22', '23']; // SQLSTATE data exception / integrity violation: the row's fault
const RETRYABLE = ['40P01', '40001']; // deadlock / serialization failure: try again

function sqlState(err: unknown): string | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c) ? c : undefined;
}

class Runner<T> {
  readonly report: ImportReport = {
    total: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    unlinked: 0,
    rejected: [],
    rejectedNotListed: 0,
    ms: 0,
  };
  private inFlight: { keys: Set<string>; done: Promise<void> }[] = [];
  private firstError: unknown;

  constructor(
    private readonly p: ImportPipeline<T>,
    private readonly opts: Required<Omit<RunOptions, 'onRows' | 'onOutcome'>> &
      Pick<RunOptions, 'onRows' | 'onOutcome'>,
  ) {}

  reject(line: number, errors: string[], key?: string): void {
    this.opts.onOutcome?.(line, key, 'rejected', errors);
    if (this.report.rejected.length < this.opts.maxListedRejections) this.report.rejected.push({ line, key, errors });
    else this.report.rejectedNotListed += 1;
  }

  private count(outcome: Outcome): void {
    if (outcome === 'created') this.report.created += 1;
    else if (outcome === 'created_unlinked') {
      this.report.created += 1;
      this.report.unlinked += 1;
    } else if (outcome === 'updated') this.report.updated += 1;
    else this.report.unchanged += 1;
  }

  private async writeWithRetry(values: T[]): Promise<Map<string, Outcome>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.p.write(values);
      } catch (err) {
        if (attempt >= 4 || !RETRYABLE.includes(sqlState(err) ?? '')) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }

  /** Writes a batch; when the database rejects it for a row's data, finds the row(s) one by one. */
  private async writeBatch(batch: Entry<T>[]): Promise<void> {
    try {
      const outcomes = await this.writeWithRetry(batch.map((e) => e.value));
      for (const e of batch) {
        const key = this.p.key(e.value);
        const outcome = outcomes.get(key) ?? 'unchanged';
        this.count(outcome);
        this.opts.onOutcome?.(e.line, key, outcome);
      }
      this.opts.onRows?.(batch.length);
    } catch (err) {
      const state = sqlState(err);
      const rowFault = state !== undefined && ROW_ERROR_CLASSES.includes(state.slice(0, 2));
      if (!rowFault) throw interrupted(err);
      if (batch.length > 1) {
        for (const e of batch) await this.writeBatch([e]);
        return;
      }
      const e = batch[0] as Entry<T>;
      this.reject(e.line, [`数据库拒绝此行：${(err as Error).message}`], this.p.key(e.value));
      this.opts.onRows?.(1);
    }
  }

  private async waitFor(predicate: () => boolean): Promise<void> {
    while (predicate()) await Promise.race(this.inFlight.map((f) => f.done));
  }

  /** Queue a batch; waits while too many are in flight or one in flight has a row with the same key. */
  async submit(batch: Entry<T>[]): Promise<void> {
    const keys = new Set(batch.map((e) => this.p.key(e.value)));
    await this.waitFor(() => this.inFlight.some((f) => [...keys].some((k) => f.keys.has(k))));
    await this.waitFor(() => this.inFlight.length >= this.opts.concurrency);
    if (this.firstError) throw this.firstError;
    const flight = { keys, done: Promise.resolve() };
    flight.done = this.writeBatch(batch)
      .catch((err: unknown) => {
        this.firstError ??= err;
      })
      .finally(() => {
        this.inFlight = this.inFlight.filter((f) => f !== flight);
      });
    this.inFlight.push(flight);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight.map((f) => f.done));
    if (this.firstError) throw this.firstError;
  }
}

function interrupted(err: unknown): CodedError {
  const message = err instanceof Error ? err.message : String(err);
  return new CodedError(
    ErrorCode.DatabaseUnavailable,
    `导入中断：${message}。已写入的批次会保留，修复后重新导入同一文件即可（重复导入不会重复写入）。`,
    undefined,
    { cause: err },
  );
}

/**
 * Validate every row, write valid ones in batches, and report. A bad row never aborts the good ones; a
 * database outage does abort (it is nobody's row's fault) — batches already written stay written and a
 * re-run skips them (upserts are idempotent).
 */
export async function runImport<T>(
  rows: AsyncIterable<RawRow>,
  p: ImportPipeline<T>,
  opts: RunOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 1000;
  const runner = new Runner(p, {
    batchSize,
    concurrency: opts.concurrency ?? 1,
    maxListedRejections: opts.maxListedRejections ?? 10_000,
    onRows: opts.onRows,
    onOutcome: opts.onOutcome,
  });
  let batch: Entry<T>[] = [];
  let keys = new Set<string>();
  try {
    for await (const row of rows) {
      runner.report.total += 1;
      const checked = row.record ? p.validate(row.record) : { ok: false as const, errors: [row.error ?? '无法读取'] };
      if (!checked.ok) {
        runner.reject(row.line, checked.errors);
        opts.onRows?.(1);
        continue;
      }
      const key = p.key(checked.value);
      if (keys.has(key) || batch.length >= batchSize) {
        await runner.submit(batch);
        batch = [];
        keys = new Set();
      }
      batch.push({ line: row.line, value: checked.value });
      keys.add(key);
    }
    if (batch.length) await runner.submit(batch);
  } finally {
    await runner.drain();
  }
  runner.report.ms = Date.now() - started;
  return runner.report;
}
