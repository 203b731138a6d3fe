import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RawRow, readRows } from '../../src/orders/read-rows.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'read-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(text: string, name = 'rows.csv'): Promise<RawRow[]> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const rows: RawRow[] = [];
  for await (const r of readRows(file, 'csv')) rows.push(r);
  return rows;
}

describe('CSV files', () => {
  it('keys records by the header (BOM and case ignored) and numbers them by the line they start on', async () => {
    const rows = await read('\uFEFFOrder_No, Items\nA1,x\n\nA2,"two\nlines"\nA3,"中文，逗号"\n');
    expect(rows).toEqual([
      { line: 2, record: { order_no: 'A1', items: 'x' } },
      { line: 4, record: { order_no: 'A2', items: 'two\nlines' } },
      { line: 6, record: { order_no: 'A3', items: '中文，逗号' } },
    ]);
  });

  it('reads Windows line endings and a last line without one', async () => {
    const rows = await read('a,b\r\n1,2\r\n3,"4\r\n5"\r\n6,7');
    expect(rows.map((r) => [r.line, r.record])).toEqual([
      [2, { a: '1', b: '2' }],
      [3, { a: '3', b: '4\r\n5' }],
      [5, { a: '6', b: '7' }],
    ]);
  });

  it('reports a malformed record with its line and keeps the good ones before it', async () => {
    const rows = await read('a,b\n1,ok\n2,"bad"x\n');
    expect(rows[0]).toEqual({ line: 2, record: { a: '1', b: 'ok' } });
    expect(rows[1]?.line).toBe(3);
    expect(rows[1]?.error).toMatch(/^CSV 格式错误/);
  });

  it('streams a large file whole, in order, with multi-byte text across read chunks', async () => {
    const name = '商品名称很长的一件衣服'.repeat(8);
    const lines = ['n,name'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${name}`);
    const rows = await read(`${lines.join('\n')}\n`, 'big.csv');
    expect(rows).toHaveLength(30_000);
    expect(rows.every((r, i) => r.line === i + 2 && r.record?.n === String(i) && r.record?.name === name)).toBe(true);
  });
});
