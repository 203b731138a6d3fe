import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomalyRadarTask, createAnomalyRadar, type RadarAlert } from '../../src/app/scan-anomalies.ts';
import { importFile } from '../../src/orders/import-file.ts';
import { createRadarStore } from '../../src/store/anomaly.repo.ts';
import type { Database } from '../../src/store/db.ts';
import { freshPgDatabase } from '../support/db.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'radar-'));
let now = new Date('2026-11-23T02:00:00Z');
const clock = { now: () => now };
let db: Database;
let cleanup: () => Promise<void>;

const HEADER =
  'order_no,source,status,phone,paid_at,approved_at,shipped_at,cancelled_at,carrier,tracking_no,address_change_count';
// Times are China time; "now" is 2026-11-23 10:00 China time.
const ROWS = [
  'R-REVIEW,own,paid,13800000001,2026-11-22 08:00,,,,,,', // 26 h 待审核
  'R-UNSHIPPED,own,approved,13800000002,2026-11-21 08:00,2026-11-21 09:00,,,,,', // 50 h since payment
  'R-NOTRACK,own,shipped,13800000003,2026-11-21 08:00,2026-11-21 09:00,2026-11-22 08:00,,sf,SF0000000000003,', // 26 h, no scans
  'R-FINE,own,shipped,13800000004,2026-11-22 08:00,2026-11-22 09:00,2026-11-23 08:00,,sf,SF0000000000004,', // 2 h
  'R-ADDR,own,paid,13800000005,2026-11-23 08:00,,,,,,3',
  'R-C1,own,cancelled,13800000009,2026-11-20 08:00,,,2026-11-20 09:00,,,',
  'R-C2,own,cancelled,13800000009,2026-11-21 08:00,,,2026-11-21 09:00,,,',
  'R-C3,own,cancelled,13800000009,2026-11-22 08:00,,,2026-11-22 09:00,,,',
  'R-C4,own,paid,13800000009,2026-11-23 07:00,,,,,,',
];
const csv = (name: string, rows: string[]) => {
  const p = path.join(dir, name);
  writeFileSync(p, [HEADER, ...rows].join('\n'));
  return p;
};
const findings = () =>
  db.sql.query<{ orderNo: string; kind: string; status: string }>(
    `SELECT o."orderNo", f.kind, f.status FROM "AnomalyFinding" f JOIN "Order" o ON o.id = f."orderId" ORDER BY o."orderNo", f.kind, f."firstSeenAt"`,
  );

beforeAll(async () => {
  ({ db, cleanup } = await freshPgDatabase());
  await importFile(db, 'orders', csv('orders.csv', ROWS), { clock });
});
afterAll(async () => {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('anomaly radar', () => {
  it('raises one finding per stuck order, routed to its group', async () => {
    const radar = createAnomalyRadar({ store: createRadarStore(db.sql), clock });
    const run = await radar.run();
    expect(run).toMatchObject({ scanned: ROWS.length, wrapped: true, resolved: 0 });
    expect(run.newFindings.map((f) => [f.orderNo, f.kind]).sort()).toEqual([
      ['R-ADDR', 'address_changes'],
      ['R-C4', 'cancel_loop'],
      ['R-NOTRACK', 'stuck_no_tracking'],
      ['R-REVIEW', 'stuck_review'],
      ['R-UNSHIPPED', 'stuck_unshipped'],
    ]);
    const warehouse = run.alerts.find((a) => a.group === 'warehouse');
    expect(warehouse?.text).toContain('【订单异常雷达】仓库请处理：新发现 2 条');
    expect(warehouse?.text).toContain('R-UNSHIPPED 付款后 50 小时仍未发货（阈值 48 小时），当前：已审核');
    expect(run.alerts.find((a) => a.group === 'managers')?.findings).toHaveLength(3);
  });

  it('does not raise the same finding twice', async () => {
    now = new Date(now.getTime() + 10 * 60_000);
    const run = await createAnomalyRadar({ store: createRadarStore(db.sql), clock }).run();
    expect(run.newFindings).toEqual([]);
    expect(run.alerts).toEqual([]);
    expect((await findings()).filter((f) => f.status === 'open')).toHaveLength(5);
  });

  it('resolves a finding once the order moves on, and raises a new one when it gets stuck again', async () => {
    // R-UNSHIPPED ships (no scans yet); R-REVIEW is approved.
    await importFile(
      db,
      'orders',
      csv('update.csv', [
        'R-UNSHIPPED,own,shipped,13800000002,2026-11-21 08:00,2026-11-21 09:00,2026-11-23 09:00,,zto,731234567890,',
        'R-REVIEW,own,approved,13800000001,2026-11-22 08:00,2026-11-23 09:30,,,,,',
      ]),
      { clock },
    );
    const radar = createAnomalyRadar({ store: createRadarStore(db.sql), clock });
    const run = await radar.run();
    expect(run.resolved).toBe(2);
    expect(run.newFindings).toEqual([]);
    now = new Date(now.getTime() + 30 * 3_600_000); // 30 h later: shipped with no scan for > 24 h
    const later = await radar.run();
    expect(later.newFindings.map((f) => [f.orderNo, f.kind])).toContainEqual(['R-UNSHIPPED', 'stuck_no_tracking']);
    const rows = (await findings()).filter((f) => f.orderNo === 'R-UNSHIPPED');
    expect(rows).toEqual([
      { orderNo: 'R-UNSHIPPED', kind: 'stuck_no_tracking', status: 'open' },
      { orderNo: 'R-UNSHIPPED', kind: 'stuck_unshipped', status: 'resolved' },
    ]);
  });

  it('bounds the work per run and carries on from its cursor', async () => {
    await db.sql.query(`DELETE FROM "SyncCursor"`);
    const radar = createAnomalyRadar({ store: createRadarStore(db.sql), clock, batchSize: 2, maxOrdersPerRun: 4 });
    const scans = [];
    for (let i = 0; i < 4; i++) scans.push(await radar.run());
    expect(scans.map((s) => [s.scanned, s.wrapped])).toEqual([
      [4, false],
      [4, false],
      [1, true],
      [4, false],
    ]);
  });

  it('runs as a maintenance task that pushes alerts', async () => {
    await db.sql.query(`UPDATE "AnomalyFinding" SET status = 'resolved'`);
    await db.sql.query(`DELETE FROM "SyncCursor"`);
    const pushed: RadarAlert[][] = [];
    const task = anomalyRadarTask(createAnomalyRadar({ store: createRadarStore(db.sql), clock }), async (a) => {
      pushed.push(a);
    });
    const summary = await task.run();
    expect(task.name).toBe('anomaly-radar');
    expect(summary.newFindings).toBeGreaterThan(0);
    expect(pushed.flat().flatMap((a) => a.findings)).toHaveLength(summary.newFindings);
  });
});
