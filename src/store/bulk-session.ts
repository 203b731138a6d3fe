import type pg from 'pg';
import { type Database, type Sql, statementName } from './db.ts';

/**
 * Dedicated connections for bulk work (imports, the radar pass, the bench), with JIT off.
 *
 * Why: a batch statement over 1,000 rows has a high estimated cost, so PostgreSQL JIT-compiles it
 * (jit_above_cost 100000) — measured here at ~350 ms per statement against ~20 ms of real work, a 15×
 * slowdown on every batch. PGlite has no JIT and one connection; it is used as is.
 */
export interface BulkSql extends Sql {
  release(): Promise<void>;
}

/** `size` connections behind one `query()`; each call takes an idle connection (or waits for one). */
export async function openBulkSql(db: Pick<Database, 'raw' | 'sql'>, size = 2): Promise<BulkSql> {
  const raw = db.raw;
  if (raw.kind === 'pglite') return { query: db.sql.query.bind(db.sql), release: async () => {} };
  const clients: pg.PoolClient[] = [];
  for (let i = 0; i < Math.max(1, size); i++) {
    const client = await raw.pool.connect();
    await client.query('SET jit = off');
    clients.push(client);
  }
  const idle = [...clients];
  const waiting: ((c: pg.PoolClient) => void)[] = [];
  const take = () =>
    new Promise<pg.PoolClient>((resolve) => {
      const c = idle.pop();
      if (c) resolve(c);
      else waiting.push(resolve);
    });
  const give = (c: pg.PoolClient) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  return {
    // `prepare` as for db.sql: planning the batch upsert took 1–5 ms, i.e. 1–5 µs per row of a 1,000-row batch.
    async query<T>(text: string, params?: unknown[], opts?: { prepare?: boolean }): Promise<T[]> {
      const client = await take();
      try {
        const result = opts?.prepare
          ? await client.query({ name: statementName(text), text, values: params })
          : await client.query(text, params);
        return result.rows as T[];
      } finally {
        give(client);
      }
    },
    async release() {
      for (const c of clients) {
        await c.query('RESET jit').catch(() => {});
        c.release();
      }
    },
  };
}
