import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type pg from 'pg';

/** Where the database lives: an embedded PGlite directory or a PostgreSQL URL. */
export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string; schema: string | undefined };

/**
 * Decide the storage target from `DATABASE_URL`: unset means the embedded PGlite under `dataDir`.
 * A `?schema=` query parameter selects a PostgreSQL schema (used by tests and multi-tenant set-ups).
 */
export function resolveDatabaseTarget(databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  if (!databaseUrl) return { kind: 'pglite', dataDir };
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { kind: 'postgres', url: url.toString(), schema };
}

/** Describes the target without credentials, for logs and /healthz. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `PGlite（内置，${target.dataDir}）`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}${target.schema ? ` schema=${target.schema}` : ''}`;
}

/** A raw connection: the PGlite instance or a pg pool, shared by Prisma and the hot-path SQL. */
export type RawConnection = { kind: 'pglite'; db: PGlite } | { kind: 'postgres'; pool: pg.Pool; schema?: string };

export async function openRawConnection(target: DatabaseTarget): Promise<RawConnection> {
  if (target.kind === 'pglite') {
    mkdirSync(target.dataDir, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    return { kind: 'pglite', db: await PGlite.create(target.dataDir) };
  }
  const { default: pgModule } = await import('pg');
  // search_path makes raw SQL resolve unqualified names in the chosen schema, like the ORM does.
  // jit=off: PostgreSQL's JIT spent ~350 ms compiling each 1,000-row batch statement for ~20 ms of work.
  const options = ['-c jit=off', ...(target.schema ? [`-c search_path="${target.schema}"`] : [])].join(' ');
  const pool = new pgModule.Pool({
    connectionString: target.url,
    options,
    max: 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped server connection must not crash the process; queries fail and the pool reconnects.
  pool.on('error', () => {});
  return { kind: 'postgres', pool, schema: target.schema };
}

/** The Prisma driver adapter factory over an already-open raw connection. */
export async function adapterFor(raw: RawConnection): Promise<SqlMigrationAwareDriverAdapterFactory> {
  if (raw.kind === 'postgres') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    return new PrismaPg(raw.pool, raw.schema ? { schema: raw.schema } : undefined);
  }
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  // pglite-prisma-adapter bundles its own copy of @prisma/driver-adapter-utils; the shapes are the same.
  return new PrismaPGlite(raw.db) as unknown as SqlMigrationAwareDriverAdapterFactory;
}

/**
 * For prisma.config.ts (the Prisma CLI): an adapter factory that owns its connection and closes it
 * when the adapter is disposed.
 */
export async function createAdapterFactory(target: DatabaseTarget): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const raw = await openRawConnection(target);
  const factory = await adapterFor(raw);
  const close = () => (raw.kind === 'pglite' ? raw.db.close() : raw.pool.end());
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await close();
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
