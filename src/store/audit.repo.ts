import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../app/order-ports.ts';
import type { Clock } from '../app/ports.ts';
import type { Sql } from './db.ts';
import { ts } from './sql-time.ts';

/**
 * The audit log (product.md: who viewed, changed or exported what). `detail` must carry references, never
 * the personal data itself.
 */
export function createAuditWriter(sql: Sql, clock: Clock): AuditWriter {
  return {
    async write(e) {
      await sql.query(
        `INSERT INTO "AuditLog" (id, at, actor, action, subject, detail) VALUES ($1, $2::timestamp(3), $3, $4, $5, $6::jsonb)`,
        [randomUUID(), ts(clock.now()), e.actor, e.action, e.subject, JSON.stringify(e.detail ?? {})],
      );
    },
  };
}
