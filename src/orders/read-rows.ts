import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import Papa from 'papaparse';
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

/** A file stream reporting bytes read (also once `setEncoding` makes its chunks strings). */
function counted(file: string, onBytes?: (n: number) => void): Readable {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let reported = 0;
  // The stream's own byte count: measuring each decoded chunk with Buffer.byteLength re-scanned every
  // megabyte of text.
  if (onBytes)
    stream.on('data', () => {
      onBytes(stream.bytesRead - reported);
      reported = stream.bytesRead;
    });
  return stream;
}

/** Lines a parsed record spans: one, plus the line breaks inside its quoted cells. */
function linesSpanned(cells: readonly string[]): number {
  let n = 1;
  for (const c of cells) {
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n += 1;
  }
  return n;
}

/**
 * CSV with a header row (UTF-8, BOM allowed, as Excel saves it), parsed by papaparse (about 3× faster than
 * csv-parse here, measured on a 100k-row order export — the import's largest cost). Records are keyed by the
 * header and numbered by the physical line they start on (blank lines and line breaks inside quoted cells
 * counted). A malformed record (e.g. a stray quote) becomes an error row with its line number and reading
 * goes on. Backpressure: the parser pauses while 512 records wait to be consumed.
 */
async function* readCsv(file: string, onBytes?: (n: number) => void): AsyncGenerator<RawRow> {
  // Decoded by the stream, so a character split across two read chunks stays whole.
  const stream = counted(file, onBytes).setEncoding('utf8');
  let nextLine = 1;
  const ready: RawRow[] = [];
  let header: string[] | undefined;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let parser: Papa.Parser | undefined;
  let paused = false;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  Papa.parse<string[]>(stream, {
    delimiter: ',',
    step(result, p) {
      parser = p;
      const line = nextLine;
      nextLine += linesSpanned(result.data);
      const error = result.errors[0];
      const blankLine = result.data.length === 1 && result.data[0] === '';
      if (error) ready.push({ line, error: `CSV 格式错误：${error.message}` });
      else if (blankLine) return;
      else if (!header)
        header = result.data.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim().toLowerCase());
      else {
        const record: Record<string, unknown> = {};
        for (let i = 0; i < header.length; i++) record[header[i] as string] = result.data[i];
        ready.push({ line, record });
      }
      if (ready.length >= 512 && !paused) {
        paused = true;
        p.pause();
      }
      notify();
    },
    complete() {
      finished = true;
      notify();
    },
    error(err) {
      failure = err;
      finished = true;
      notify();
    },
  });
  stream.on('error', (err) => {
    failure = err;
    finished = true;
    notify();
  });
  try {
    for (;;) {
      if (ready.length) {
        const batch = ready.splice(0, ready.length);
        if (paused) {
          paused = false;
          parser?.resume();
        }
        yield* batch;
        continue;
      }
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished) {
      parser?.abort();
      stream.destroy();
    }
  }
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
