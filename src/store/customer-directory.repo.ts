import { randomUUID } from 'node:crypto';
import type { CustomerDirectory } from '../app/order-ports.ts';
import type { Clock } from '../app/ports.ts';
import type { Sql } from './db.ts';
import { ts } from './sql-time.ts';

/**
 * Customers as platform identities (Identity: platform = channel id, externalId = the platform's user
 * ref) and the orders they proved are theirs (OrderBinding). Plain SQL: these run on every customer message.
 */
export function createCustomerDirectory(sql: Sql, clock: Clock): CustomerDirectory {
  const lookup = async (platform: string, externalId: string) => {
    const rows = await sql.query<{ customerId: string | null }>(
      `SELECT "customerId" FROM "Identity" WHERE platform = $1 AND "externalId" = $2`,
      [platform, externalId],
    );
    return rows[0]?.customerId ?? undefined;
  };
  return {
    customerFor: lookup,
    async ensureCustomer(platform, externalId, displayName) {
      const known = await lookup(platform, externalId);
      if (known) return known;
      const customerId = randomUUID();
      const now = ts(clock.now());
      // One statement: the customer and its identity appear together or not at all; a concurrent
      // creator wins the unique (platform, externalId) and we read theirs.
      await sql.query(
        `WITH c AS (INSERT INTO "Customer" (id, name, tier, "createdAt") VALUES ($1, $2, 'normal', $3::timestamp(3)) RETURNING id)
         INSERT INTO "Identity" (id, platform, "externalId", "displayName", kind, "customerId", "createdAt")
         SELECT $4, $5, $6, $2, 'customer', c.id, $3::timestamp(3) FROM c
         ON CONFLICT (platform, "externalId") DO UPDATE SET "customerId" = EXCLUDED."customerId"
         WHERE "Identity"."customerId" IS NULL`,
        [customerId, displayName ?? null, now, randomUUID(), platform, externalId],
      );
      const id = await lookup(platform, externalId);
      if (!id) throw new Error(`identity ${platform}/${externalId} has no customer`);
      return id;
    },
    async isBound(customerId, orderId) {
      const rows = await sql.query(`SELECT 1 FROM "OrderBinding" WHERE "customerId" = $1 AND "orderId" = $2`, [
        customerId,
        orderId,
      ]);
      return rows.length > 0;
    },
    async bind(customerId, orderId, method) {
      await sql.query(
        `INSERT INTO "OrderBinding" (id, "customerId", "orderId", method, "createdAt")
         VALUES ($1, $2, $3, $4, $5::timestamp(3)) ON CONFLICT ("customerId", "orderId") DO NOTHING`,
        [randomUUID(), customerId, orderId, method, ts(clock.now())],
      );
    },
  };
}
