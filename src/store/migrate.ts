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
 * api/worker processes starting together apply each migration once. A database that already has every
 * migration is read without the lock, so a CLI command or a restart never queues behind another
 * schema's deploy; a wait for the lock is bounded and names the process that holds it.
 */
export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const PRISMA_ADVISORY_LOCK = 72707369;
/** How long a deploy waits for another process's deploy (Prisma's own CLI gives up after 10 s). */
const MIGRATION_LOCK_WAIT_MS = 60_000;

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
  /** `destroy`: close the connection instead of pooling it (it may still hold the lock). */
  release(destroy?: boolean): Promise<void>;
}

async function openSession(raw: RawConnection, lockWaitMs: number): Promise<Session> {
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
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(lockWaitMs))}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') throw await lockHeldError(raw, lockWaitMs);
      throw err;
    }
    await client.query('RESET lock_timeout'); // the migrations' own statements wait as usual
    if (raw.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${raw.schema.replace(/"/g, '')}"`);
  } catch (err) {
    client.release(true);
    throw err;
  }
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    exec: async (sql) => void (await client.query(sql)),
    release: async (destroy) => client.release(destroy === true),
  };
}

/** Who holds the deploy lock, for the error a timed-out wait gives. */
async function lockHeldError(raw: RawConnection & { kind: 'postgres' }, lockWaitMs: number): Promise<Error> {
  const rows = await raw.pool
    .query<{ pid: number; app: string; since: Date | null }>(
      `SELECT a.pid, a.application_name AS app, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1 AND l.database = (
          SELECT oid FROM pg_database WHERE datname = current_database())`,
      [PRISMA_ADVISORY_LOCK],
    )
    .then((r) => r.rows)
    .catch(() => []);
  const holder = rows[0]
    ? `（pid ${rows[0].pid}${rows[0].app ? `，${rows[0].app}` : ''}，连接于 ${rows[0].since?.toISOString() ?? '未知时间'}）`
    : '';
  const waited = lockWaitMs >= 1000 ? `${Math.round(lockWaitMs / 1000)} 秒` : `${lockWaitMs} 毫秒`;
  return new Error(
    `等待数据库迁移锁超过 ${waited}：另一个进程${holder}正在迁移或卡住了。` +
      `确认它已结束（或在 PostgreSQL 中结束该连接）后重试。`,
  );
}

/** The applied migrations, read without the lock; undefined when the table (or the schema) is not there yet. */
async function appliedWithoutLock(raw: RawConnection & { kind: 'postgres' }): Promise<Map<string, string> | undefined> {
  try {
    const r = await raw.pool.query<{ migration_name: string; checksum: string }>(APPLIED);
    return new Map(r.rows.map((row) => [row.migration_name, row.checksum]));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return undefined; // undefined_table
    throw err;
  }
}

const APPLIED =
  'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';

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
  opts: { lockWaitMs?: number } = {},
): Promise<MigrationResult> {
  const migrations = await listMigrations(dir);
  if (raw.kind === 'postgres') {
    // Nothing to do is the common case (every restart, every CLI command): no lock, no queue.
    const known = await appliedWithoutLock(raw);
    if (known && migrations.every((m) => known.get(m.name) === m.checksum))
      return { applied: [], alreadyApplied: known.size };
  }
  const session = await openSession(raw, opts.lockWaitMs ?? MIGRATION_LOCK_WAIT_MS);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query(APPLIED);
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
    // A connection whose unlock failed must not go back to the pool still holding the lock.
    const unlocked =
      raw.kind === 'pglite' ||
      (await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).then(
        () => true,
        () => false,
      ));
    await session.release(!unlocked);
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
