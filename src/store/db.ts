import { PrismaClient } from '../generated/prisma/client.ts';
import { adapterFor, type DatabaseTarget, describeTarget, openRawConnection, type RawConnection } from './adapter.ts';
import { applyMigrations, type MigrationResult } from './migrate.ts';

export type { PrismaClient };

/** Typed raw SQL for the hot path; the ORM is the ceiling on writes (shared/docs/stack.md). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  prisma: PrismaClient;
  sql: Sql;
  raw: RawConnection;
  target: DatabaseTarget;
  description: string;
  migrate(dir?: string): Promise<MigrationResult>;
  /** Round-trip check for /healthz; resolves false (never throws) when the database is unreachable. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const raw = await openRawConnection(target);
  const prisma = new PrismaClient({ adapter: await adapterFor(raw) });
  const sql: Sql = {
    async query<T>(text: string, params?: unknown[]): Promise<T[]> {
      if (raw.kind === 'pglite') return (await raw.db.query<T>(text, params)).rows;
      return (await raw.pool.query(text, params)).rows as T[];
    },
  };
  let closed = false;
  return {
    prisma,
    sql,
    raw,
    target,
    description: describeTarget(target),
    migrate: (dir) => applyMigrations(raw, dir),
    async ping(timeoutMs = 1500) {
      const probe = sql.query('SELECT 1 AS ok').then(
        () => true,
        () => false,
      );
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
      return Promise.race([probe, timeout]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      if (raw.kind === 'pglite') await raw.db.close();
      else await raw.pool.end();
    },
  };
}
