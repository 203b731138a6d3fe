import { hash } from 'node:crypto';
import type pg from 'pg';
import type { Database, Sql } from './db.ts';

/**
 * Dedicated connections for bulk work (imports, the radar pass, the bench), with JIT off.
 *
 * Why: a batch statement over 1,000 rows has a high estimated cost, so PostgreSQL JIT-compiles it
 * (jit_above_cost 100000) — measured here at ~350 ms per statement against ~20 ms of real work, a 15×
 * slowdown on every batch. PGlite has no JIT and one connection; it is used as is.
 */
export interface BulkSql extends Sql {
  /**
   * `query` as a named prepared statement, planned once per connection: for one statement run thousands
   * of times with parameters whose shape does not change the best plan (the order upsert). Not for
   * statements like `col = ANY($1)`, whose generic plan can be far worse than a custom one.
   */
  queryPrepared: Sql['query'];
  release(): Promise<void>;
}

/** `size` connections behind one `query()`; each call takes an idle connection (or waits for one). */
export async function openBulkSql(db: Pick<Database, 'raw' | 'sql'>, size = 2): Promise<BulkSql> {
  const raw = db.raw;
  if (raw.kind === 'pglite') {
    const query = db.sql.query.bind(db.sql);
    return { query, queryPrepared: query, release: async () => {} };
  }
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
  // Prepared statements are named after their text: pooled connections outlive this session and keep
  // what was prepared. Planning the batch upsert took 1–5 ms, i.e. 1–5 µs per row of a 1,000-row batch.
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `bulk_${hash('sha1', text, 'hex')}`;
      names.set(text, name);
    }
    return name;
  };
  const give = (c: pg.PoolClient) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  const run = async <T>(text: string, params: unknown[] | undefined, prepare: boolean): Promise<T[]> => {
    const client = await take();
    try {
      const result =
        prepare && params !== undefined
          ? await client.query({ name: nameOf(text), text, values: params })
          : await client.query(text, params);
      return result.rows as T[];
    } finally {
      give(client);
    }
  };
  return {
    query: <T>(text: string, params?: unknown[]) => run<T>(text, params, false),
    queryPrepared: <T>(text: string, params?: unknown[]) => run<T>(text, params, true),
    async release() {
      for (const c of clients) {
        await c.query('RESET jit').catch(() => {});
        c.release();
      }
    },
  };
}
