import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDatabaseTarget } from '../../src/store/adapter.ts';
import { openDatabase } from '../../src/store/db.ts';
import { applyMigrations } from '../../src/store/migrate.ts';
import { freshPgDatabase, freshPgliteDatabase, freshSchemaUrl, PG_URL } from '../support/db.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {});
});

describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  async function open() {
    if (kind === 'pglite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'mig-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return openDatabase(resolveDatabaseTarget(undefined, dir));
    }
    const s = freshSchemaUrl();
    cleanups.push(() => s.drop());
    return openDatabase(resolveDatabaseTarget(s.url, ''));
  }

  it('applies every migration once, records it like prisma migrate deploy, and the schema works', async () => {
    const db = await open();
    try {
      const first = await db.migrate();
      expect(first.applied).toContain('20261123000000_init');
      expect((await db.migrate()).applied).toEqual([]);
      const rows = await db.sql.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(first.applied);
      expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
      const c = await db.prisma.customer.create({ data: { name: '测试' } });
      await db.prisma.inboundDelivery.create({
        data: { channel: 'sandbox', platformMsgId: 'x', userRef: c.id, role: 'customer', text: 'hi' },
      });
      await expect(
        db.prisma.inboundDelivery.create({
          data: { channel: 'sandbox', platformMsgId: 'x', userRef: c.id, role: 'customer', text: 'hi' },
        }),
      ).rejects.toThrow(/Unique constraint|duplicate key/);
    } finally {
      await db.close();
    }
  });
});

describe('migration safety', () => {
  it('refuses to run when an applied migration file was edited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migdir-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cpSync(path.join('prisma', 'migrations'), dir, { recursive: true });
    const { db, cleanup } = await freshPgliteDatabase();
    cleanups.push(cleanup);
    writeFileSync(path.join(dir, '20261123000000_init', 'migration.sql'), '-- edited\n', { flag: 'a' });
    await expect(db.migrate(dir)).rejects.toThrow(/checksum 不一致/);
  });

  it('carries order items and status history from the old child tables into the order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migdir-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const JSON_COLUMNS = '20261129200000_order_items_history_json';
    cpSync(path.join('prisma', 'migrations'), dir, { recursive: true });
    rmSync(path.join(dir, JSON_COLUMNS), { recursive: true });
    const s = freshSchemaUrl();
    cleanups.push(() => s.drop());
    const db = await openDatabase(resolveDatabaseTarget(s.url, ''));
    cleanups.push(() => db.close());
    await db.migrate(dir);
    await db.sql.query(`INSERT INTO "Order" (id, "orderNo", source, status, "updatedAt") VALUES
      ('o1', 'SO1', 'own', 'shipped', now()), ('o2', 'SO2', 'own', 'paid', now())`);
    await db.sql.query(`INSERT INTO "OrderItem" (id, "orderId", sku, name, qty, "priceCents") VALUES
      ('i1', 'o1', 'B2', '杯子', 2, 2000), ('i2', 'o1', 'A1', '卫衣', 1, 19900)`);
    await db.sql.query(`INSERT INTO "OrderStatusEvent" (id, "orderId", status, at, source) VALUES
      ('e1', 'o1', 'shipped', '2026-11-21 09:00:00', 'import'), ('e2', 'o1', 'paid', '2026-11-20 10:02:33.5', 'api')`);
    cpSync(path.join('prisma', 'migrations', JSON_COLUMNS), path.join(dir, JSON_COLUMNS), { recursive: true });
    expect((await db.migrate(dir)).applied).toEqual([JSON_COLUMNS]);
    const rows = await db.sql.query<{ id: string; items: unknown; history: unknown }>(
      `SELECT id, items, history FROM "Order" ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: 'o1',
        items: [
          { sku: 'A1', name: '卫衣', qty: 1, priceCents: 19900 },
          { sku: 'B2', name: '杯子', qty: 2, priceCents: 2000 },
        ],
        history: [
          { status: 'paid', at: Date.parse('2026-11-20T10:02:33.500Z'), source: 'api' },
          { status: 'shipped', at: Date.parse('2026-11-21T09:00:00.000Z'), source: 'import' },
        ],
      },
      { id: 'o2', items: [], history: [] },
    ]);
  });

  it('serialises concurrent deploys from several processes on PostgreSQL', async () => {
    const s = freshSchemaUrl();
    cleanups.push(() => s.drop());
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase(resolveDatabaseTarget(s.url, ''))));
    const results = await Promise.all(dbs.map((d) => d.migrate()));
    expect(results.flatMap((r) => r.applied).filter((m) => m === '20261123000000_init')).toHaveLength(1);
    await Promise.all(dbs.map((d) => d.close()));
  });

  describe("the deploy lock (Prisma's advisory lock, shared by every schema of the database)", () => {
    /** Another session takes the lock, as a deploy running elsewhere (or stuck) would. */
    async function holdLock(): Promise<{ release(): Promise<void> }> {
      const client = new pg.Client({ connectionString: PG_URL, application_name: 'stuck-deploy' });
      await client.connect();
      await client.query('SELECT pg_advisory_lock(72707369)');
      return { release: () => client.end() };
    }

    it('a database with every migration applied starts without waiting for the lock', async () => {
      const { db, cleanup } = await freshPgDatabase();
      cleanups.push(cleanup);
      const held = await holdLock();
      try {
        const started = Date.now();
        expect(await applyMigrations(db.raw, undefined, { lockWaitMs: 5000 })).toMatchObject({ applied: [] });
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await held.release();
      }
    });

    it('a deploy that waits too long gives up naming the holder, and succeeds once the lock is free', async () => {
      const s = freshSchemaUrl();
      cleanups.push(() => s.drop());
      const db = await openDatabase(resolveDatabaseTarget(s.url, ''));
      cleanups.push(() => db.close());
      const held = await holdLock();
      try {
        await expect(applyMigrations(db.raw, undefined, { lockWaitMs: 300 })).rejects.toThrow(
          /等待数据库迁移锁超过 300 毫秒：另一个进程（pid \d+，stuck-deploy，连接于 \d{4}-/,
        );
      } finally {
        await held.release();
      }
      expect((await db.migrate()).applied).toContain('20261123000000_init');
    });
  });
});
