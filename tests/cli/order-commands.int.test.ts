import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaUrl } from '../support/db.ts';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'orders-cli-'));
const schema = freshSchemaUrl();

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, DATABASE_URL: schema.url, DATA_DIR: dir, LOG_LEVEL: 'silent' };
  try {
    // Under the test's own 60 s, so a hung command fails with its output and the command named.
    const r = await run(process.execPath, ['bin/aftersales.js', ...args], { env, timeout: 28_000 });
    return { code: 0, out: r.stdout };
  } catch (err) {
    const e = err as { code?: number; signal?: string; stdout?: string; stderr?: string };
    if (e.signal === 'SIGTERM') throw new Error(`aftersales ${args.join(' ')} ran over 28 s: ${e.stdout}${e.stderr}`);
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

afterAll(async () => {
  await schema.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('aftersales CLI for orders', () => {
  const out = path.join(dir, 'demo');

  it('demo-data writes files, imports them and binds the sandbox customers', async () => {
    const r = await cli('demo-data', '--orders', '40', '--seed', '5', '--out', out, '--now', '2026-11-23 10:00');
    expect(r.code).toBe(0);
    expect(r.out).toContain('订单导入完成：共 40 行，新增 40，更新 0，未变化 0，拒绝 0');
    expect(r.out).toMatch(/顾客 c1 名下订单：\S+、\S+、\S+/);
  });

  it('import of the same file again changes nothing', async () => {
    const r = await cli('import', 'orders', path.join(out, 'orders.csv'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('共 40 行，新增 0，更新 0，未变化 40，拒绝 0');
  });

  it('a file with a bad row: the report names the line, the rest is stored, exit code 1', async () => {
    const lines = readFileSync(path.join(out, 'orders.csv'), 'utf8').trim().split('\n');
    const bad = lines[2]?.replace(/,1[3-9]\d{9},/, ',12345,') ?? '';
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, [lines[0], lines[1]?.replace(/^[^,]+/, 'SO20261123999991'), bad].join('\n'));
    const r = await cli('import', 'orders', file, '--errors', path.join(dir, 'rejected.csv'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('新增 1');
    expect(r.out).toContain('第 3 行：phone：手机号格式不正确');
    expect(readFileSync(path.join(dir, 'rejected.csv'), 'utf8')).toContain('3,phone：手机号格式不正确');
  });

  it('report signoffs prints the credibility per carrier; below the target it exits 1 for a scheduled check', async () => {
    const r = await cli('report', 'signoffs', '--days', '3650');
    expect(r.out).toMatch(
      /^近 3650 天签收可信率 \d+\.\d%（拍照\/验证码\/快递柜 \d+ \/ 全部签收 [1-9]\d*，目标 ≥ 85\.0%）/,
    );
    expect(r.out).toMatch(/按快递公司（低的在前）：\n· \S+ \d+\.\d%（\d+\/\d+）/);
    expect(r.code).toBe(r.out.includes('⚠ 未达标') ? 1 : 0);
    const bad = await cli('report', 'signoffs', '--days', '0');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('--days 必须是 1 到 3650 之间的整数');
  });

  it('report health prints the five numbers and exits 1 when one is below target; report root-cause prints the week', async () => {
    const card = path.join(dir, 'health.png');
    const health = await cli('report', 'health', '--png', card);
    expect(health.out).toMatch(/^订单与售后健康日报（近 7 天，截至 \d+\/\d+ \d\d:\d\d）：/);
    // The card managers get in chat, written where asked: a PNG 760 px wide at twice the size.
    const png = readFileSync(card);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1520);
    for (const name of [
      '订单状态同步延迟中位数',
      '物流状态可信率',
      '售后首次响应时间中位数',
      '订单修改成功率',
      '跨系统数据一致性',
    ])
      expect(health.out).toContain(`· ${name}：`);
    expect(health.code).toBe(/⚠ 未达标|✘ 风险/.test(health.out) ? 1 : 0);
    const week = await cli('report', 'root-cause');
    expect(week.code).toBe(0);
    expect(week.out).toMatch(/^售后根因周报（\d+\/\d+ \d\d:\d\d 至 \d+\/\d+ \d\d:\d\d）：/);
  });

  it('export-orders writes the orders as CSV with phones masked, naming who exported them', async () => {
    const file = path.join(dir, 'export.csv');
    const r = await cli('export-orders', '--by', '张三', '--out', file);
    expect(r.code).toBe(0);
    // The demo's 40 orders and those the earlier imports added: fewer than 100, so no approval is needed.
    const n = Number(/^已导出 (\d+) 个订单到 (.+)\n$/.exec(r.out)?.[1]);
    expect(n).toBeGreaterThanOrEqual(40);
    const lines = readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[0]?.split(',').slice(0, 3)).toEqual(['订单号', '来源', '状态']);
    // Every phone is masked: no run of 11 digits starting 1[3-9] survives.
    expect(lines.slice(1).join('\n')).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
    const bad = await cli('export-orders', '--by', '张三', '--out', file, '--since', '2026-02-30');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('--since：不是有效日期');
  });

  it('reconcile lists orders missing on our side and amount mismatches', async () => {
    const lines = readFileSync(path.join(out, 'orders.csv'), 'utf8').trim().split('\n');
    const header = 'order_no,paid_at,amount';
    const rows = lines.slice(1, 4).map((l) => {
      const cells = l.split(',');
      return `${cells[0]},${cells[9]},${cells[7]}`;
    });
    rows[1] = rows[1]?.replace(/,[\d.]+$/, ',1.00') ?? '';
    rows.push('MISSING-1,2026-11-22 10:00:00,99.00');
    const file = path.join(dir, 'export.csv');
    writeFileSync(file, [header, ...rows].join('\n'));
    const r = await cli('reconcile', file, '--out', path.join(dir, 'diff.csv'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('仅平台有 1 单');
    expect(r.out).toContain('第 5 行 MISSING-1');
    expect(r.out).toMatch(/实付金额：我方 ¥[\d.]+ \/ 平台 ¥1\.00/);
    expect(readFileSync(path.join(dir, 'diff.csv'), 'utf8')).toContain('仅平台有,MISSING-1,5');
  });
});
