import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { badRequest } from '../domain/errors.ts';

/** One record from a file, with its line number; `error` when the line itself could not be read. */
export interface RawRow {
  line: number;
  record?: Record<string, unknown>;
  error?: string;
}

export type FileFormat = 'csv' | 'jsonl';

/** `.csv` → csv; `.jsonl` / `.ndjson` → jsonl; anything else needs `--format`. */
export function detectFormat(file: string, explicit?: string): FileFormat {
  const wanted = explicit?.toLowerCase();
  if (wanted === 'csv' || wanted === 'jsonl') return wanted;
  if (wanted) throw badRequest(`不支持的格式 ${explicit}：请用 csv 或 jsonl`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw badRequest(`无法从扩展名判断 ${path.basename(file)} 的格式：请用 .csv / .jsonl 文件，或加 --format csv|jsonl`);
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

function counted(file: string, onBytes?: (n: number) => void): Readable {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onBytes) stream.on('data', (chunk) => onBytes(chunk.length));
  return stream;
}

/** A record's values, tagged with the line the parser was on when it produced it. */
type Parsed = string[] & { line?: number };

/**
 * CSV with a header row (UTF-8, BOM allowed, as Excel saves it). Records are read as arrays and keyed by
 * the header here (twice as fast as csv-parse's `columns`); `on_record` captures each record's line while
 * the parser is on it. A malformed line (e.g. an unclosed quote) becomes an error row and reading goes on.
 */
async function* readCsv(file: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  const skipped: RawRow[] = [];
  const parser = counted(file, onBytes).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_record: (values, ctx) => Object.assign(values, { line: ctx.lines }),
    }),
  );
  parser.on('skip', (err: Error & { lines?: number }) => {
    skipped.push({ line: err.lines ?? 0, error: `CSV 格式错误：${err.message}` });
  });
  let header: string[] | undefined;
  for await (const rec of parser as AsyncIterable<Parsed>) {
    while (skipped.length) yield skipped.shift() as RawRow;
    if (!header) {
      header = rec.map((h) => h.trim().toLowerCase());
      continue;
    }
    const record: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) record[header[i] as string] = rec[i];
    yield { line: rec.line ?? 0, record };
  }
  while (skipped.length) yield skipped.shift() as RawRow;
}

/** JSON Lines: one object per line; blank lines are ignored. */
async function* readJsonl(file: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  const lines = createInterface({ input: counted(file, onBytes), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const trimmed = text.trim();
    if (!trimmed) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        yield { line, record: value as Record<string, unknown> };
      } else {
        yield { line, error: '每行必须是一个 JSON 对象' };
      }
    } catch {
      yield { line, error: '不是合法的 JSON' };
    }
  }
}

/** Streams the records of a CSV or JSONL file; `onBytes` reports progress. */
export function readRows(file: string, format: FileFormat, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  return format === 'csv' ? readCsv(file, onBytes) : readJsonl(file, onBytes);
}
