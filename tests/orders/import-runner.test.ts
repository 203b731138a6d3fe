import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { formatImportReport } from '../../src/orders/import-report.ts';
import { type ImportPipeline, type Outcome, runImport } from '../../src/orders/import-runner.ts';
import { readRows } from '../../src/orders/read-rows.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'orders-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A pipeline over a Map: rows need an "id" and a numeric "n"; n = 13 makes the "database" refuse the row. */
function memoryPipeline(
  store = new Map<string, number>(),
): ImportPipeline<{ id: string; n: number }> & { store: Map<string, number>; batches: number[] } {
  const batches: number[] = [];
  return {
    store,
    batches,
    validate(raw) {
      const r = raw as Record<string, unknown>;
      const n = Number(r.n);
      if (!r.id) return { ok: false, errors: ['id：缺少编号'] };
      if (!Number.isInteger(n)) return { ok: false, errors: ['n：必须是整数'] };
      return { ok: true, value: { id: String(r.id), n } };
    },
    key: (v) => v.id,
    async write(batch) {
      batches.push(batch.length);
      if (batch.some((v) => v.n === 13)) throw Object.assign(new Error('value out of range'), { code: '22003' });
      const out = new Map<string, Outcome>();
      for (const v of batch) {
        out.set(v.id, !store.has(v.id) ? 'created' : store.get(v.id) === v.n ? 'unchanged' : 'updated');
        store.set(v.id, v.n);
      }
      return out;
    },
  };
}

describe('import runner', () => {
  it('stores the good rows and reports the bad ones with their line numbers', async () => {
    const csv = file('a.csv', '\ufeffid,n\na,1\nb,x\n,3\n"c\nd",4\ne,13\nf,6\n');
    const p = memoryPipeline();
    const report = await runImport(readRows(csv, 'csv'), p, { batchSize: 2 });
    expect([...p.store.keys()]).toEqual(['a', 'c\nd', 'f']);
    expect(report.rejected).toEqual([
      { line: 3, errors: ['n：必须是整数'] },
      { line: 4, errors: ['id：缺少编号'] },
      { line: 7, key: 'e', errors: ['数据库拒绝此行：value out of range'] },
    ]);
    expect(report).toMatchObject({ total: 6, created: 3, updated: 0, unchanged: 0 });
    expect(formatImportReport('orders', report)).toContain('第 7 行：数据库拒绝此行：value out of range');
  });

  it('re-importing changes nothing', async () => {
    const csv = file('b.csv', 'id,n\na,1\nb,2\n');
    const p = memoryPipeline();
    await runImport(readRows(csv, 'csv'), p);
    const again = await runImport(readRows(csv, 'csv'), p);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: [] });
  });

  it('never puts the same key twice in one batch (the later row wins)', async () => {
    const csv = file('c.csv', 'id,n\na,1\nb,2\na,3\n');
    const p = memoryPipeline();
    await runImport(readRows(csv, 'csv'), p, { batchSize: 100, concurrency: 2 });
    expect(p.batches).toEqual([2, 1]);
    expect(p.store.get('a')).toBe(3);
  });

  it('reads JSON Lines and reports unreadable lines', async () => {
    const jsonl = file('d.jsonl', '{"id":"a","n":1}\n\nnot json\n[1]\n{"id":"b","n":2}\n');
    const p = memoryPipeline();
    const report = await runImport(readRows(jsonl, 'jsonl'), p);
    expect(report.rejected).toEqual([
      { line: 3, errors: ['不是合法的 JSON'] },
      { line: 4, errors: ['每行必须是一个 JSON 对象'] },
    ]);
    expect(p.store.size).toBe(2);
  });

  it('stops with a coded error when the database itself fails (not a row problem)', async () => {
    const csv = file('e.csv', 'id,n\na,1\n');
    const p = memoryPipeline();
    p.write = async () => {
      throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    };
    await expect(runImport(readRows(csv, 'csv'), p)).rejects.toMatchObject({ code: ErrorCode.DatabaseUnavailable });
  });
});
