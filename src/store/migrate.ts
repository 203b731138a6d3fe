import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RawConnection } from './adapter.ts';

/**
 * Applies prisma/migrations/<name>/migration.sql in order, recording each in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (same table, sha256 checksum of the file), so the Prisma CLI
 * (`prisma migrate status`, `migrate deploy`) and this function agree on what is applied.
 *
 * Why not spawn the CLI on every start: it takes ~11 s to boot, and on PGlite it opens the data
 * directory itself and never exits (it does not dispose its adapter) while only one process may open
 * a PGlite directory. PostgreSQL runs are serialised with Prisma's own advisory lock id, so several
 * api/worker processes starting together apply each migration once.
 */
export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface Session {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
  release(): Promise<void>;
}

async function openSession(raw: RawConnection): Promise<Session> {
  if (raw.kind === 'pglite') {
    const db = raw.db;
    return {
      query: async (sql, params) => (await db.query<Record<string, unknown>>(sql, params)).rows,
      exec: async (sql) => void (await db.exec(sql)),
      release: async () => {},
    };
  }
  const client = await raw.pool.connect();
  try {
    // Taken before CREATE SCHEMA: two processes creating the same schema at once would otherwise collide.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    if (raw.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${raw.schema.replace(/"/g, '')}"`);
  } catch (err) {
    client.release(true);
    throw err;
  }
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    exec: async (sql) => void (await client.query(sql)),
    release: async () => client.release(),
  };
}

export async function listMigrations(dir: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  entries.sort();
  return Promise.all(
    entries.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

/** Apply every pending migration; each runs in its own transaction. */
export async function applyMigrations(
  raw: RawConnection,
  dir = path.join('prisma', 'migrations'),
): Promise<MigrationResult> {
  const migrations = await listMigrations(dir);
  const session = await openSession(raw);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((r) => [String(r.migration_name), String(r.checksum)]));
    const applied: string[] = [];
    for (const m of migrations) {
      const known = done.get(m.name);
      if (known !== undefined) {
        if (known !== m.checksum) {
          throw new Error(
            `迁移 ${m.name} 已应用，但文件内容被修改过（checksum 不一致）。已发布的迁移不能修改，请新建一个迁移。`,
          );
        }
        continue;
      }
      await applyOne(session, m);
      applied.push(m.name);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    if (raw.kind === 'postgres')
      await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await session.release();
  }
}

async function applyOne(session: Session, m: { name: string; sql: string; checksum: string }): Promise<void> {
  const id = randomUUID();
  await session.exec('BEGIN');
  try {
    await session.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, m.checksum, m.name],
    );
    await session.exec(m.sql);
    await session.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
      id,
    ]);
    await session.exec('COMMIT');
  } catch (err) {
    await session.exec('ROLLBACK').catch(() => {});
    throw new Error(`迁移 ${m.name} 执行失败：${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
