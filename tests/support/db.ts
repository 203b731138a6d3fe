import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { resolveDatabaseTarget } from '../../src/store/adapter.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export function randomName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A PostgreSQL URL pointing at a brand-new schema; `drop()` removes it. */
export function freshSchemaUrl(base = PG_URL): { url: string; schema: string; drop(): Promise<void> } {
  const schema = randomName('t');
  const url = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  return {
    url,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** A migrated database in a fresh PostgreSQL schema. */
export async function freshPgDatabase(): Promise<{ db: Database; url: string; cleanup(): Promise<void> }> {
  const s = freshSchemaUrl();
  const db = await openDatabase(resolveDatabaseTarget(s.url, ''));
  await db.migrate();
  return {
    db,
    url: s.url,
    async cleanup() {
      await db.close();
      await s.drop();
    },
  };
}

/** A migrated embedded PGlite database in a temp directory. */
export async function freshPgliteDatabase(): Promise<{ db: Database; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aftersales-pglite-'));
  const db = await openDatabase(resolveDatabaseTarget(undefined, dir));
  await db.migrate();
  return {
    db,
    dir,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
