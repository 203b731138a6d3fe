import { randomBytes } from 'node:crypto';
import type { Sql } from './db.ts';
import { ts } from './sql-time.ts';

/** How long a linked picture stays readable: chat history keeps the link, so a month, not hours. */
export const PICTURE_TTL_MS = 30 * 24 * 3600_000;

/** A token: 18 random bytes, base64url (24 characters). */
export const PICTURE_TOKEN = /^[A-Za-z0-9_-]{24}$/;

export interface PictureStore {
  /**
   * Keeps a picture for `PICTURE_TTL_MS` and returns its token. The same `dedupeKey` again (a retried message)
   * returns the token it got the first time.
   */
  publish(p: { dedupeKey: string; png: Buffer; title: string }, now: Date): Promise<string>;
  /** The picture behind a token, while it has not expired. */
  read(token: string, now: Date): Promise<{ png: Buffer; title: string } | undefined>;
  /** Deletes the expired pictures; how many. */
  purge(now: Date): Promise<number>;
}

/** Linked pictures (migration 20261202000000_shared_pictures). */
export function createPictureStore(sql: Sql): PictureStore {
  return {
    async publish(p, now) {
      const rows = await sql.query<{ token: string }>(
        `INSERT INTO "SharedPicture" (token, "dedupeKey", png, title, "createdAt", "expiresAt")
         VALUES ($1, $2, $3, $4, $5::timestamp(3), $6::timestamp(3))
         ON CONFLICT ("dedupeKey") DO UPDATE SET "dedupeKey" = EXCLUDED."dedupeKey"
         RETURNING token`,
        [
          randomBytes(18).toString('base64url'),
          p.dedupeKey,
          p.png,
          p.title,
          ts(now),
          ts(new Date(now.getTime() + PICTURE_TTL_MS)),
        ],
      );
      const token = rows[0]?.token;
      if (!token) throw new Error('SharedPicture insert returned no row');
      return token;
    },
    async read(token, now) {
      if (!PICTURE_TOKEN.test(token)) return undefined;
      const rows = await sql.query<{ png: Uint8Array; title: string }>(
        `SELECT png, title FROM "SharedPicture" WHERE token = $1 AND "expiresAt" > $2::timestamp(3)`,
        [token, ts(now)],
      );
      const row = rows[0];
      // pg returns a Buffer, PGlite a Uint8Array.
      return row
        ? { png: Buffer.from(row.png.buffer, row.png.byteOffset, row.png.byteLength), title: row.title }
        : undefined;
    },
    async purge(now) {
      const rows = await sql.query<{ n: number }>(
        `WITH gone AS (DELETE FROM "SharedPicture" WHERE "expiresAt" <= $1::timestamp(3) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [ts(now)],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
