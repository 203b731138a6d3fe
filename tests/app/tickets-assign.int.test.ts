import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimerScheduler } from '../../src/app/ports.ts';
import type { Database } from '../../src/store/db.ts';
import { createIdentityStore } from '../../src/store/identities.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { freshPgDatabase } from '../support/db.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../support/tickets.ts';

const noTimers: TimerScheduler = {
  schedule: async () => {},
  cancel: async () => {},
  exists: async () => false,
  existsMany: async (list) => list.map(() => false),
};

describe('round-robin assignment under concurrent ticket creation (PostgreSQL)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    await seedSandboxStaff(db.prisma);
  });
  afterAll(async () => cleanup());

  it('12 tickets opened at the same moment are shared 6/6 between the two agents on duty', async () => {
    const service = await ticketServiceOn(db, noTimers);
    const ids = createIdentityStore(db.prisma);
    const customers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ids.resolve('sandbox', `rr-${i}`, 'customer')),
    );
    await Promise.all(
      customers.map((sender, i) =>
        service.onCustomerMessage({
          sender,
          delivery: customerDelivery(`rr-d-${i}`, `rr-${i}`, '杯子裂了'),
          parse: problemParse('damaged', '杯子裂了'),
        }),
      ),
    );
    const rows = await db.sql.query<{ assigneeId: string; n: number }>(
      `SELECT "assigneeId", count(*)::int AS n FROM "Ticket" GROUP BY "assigneeId" ORDER BY "assigneeId"`,
    );
    expect(rows.map((r) => r.n)).toEqual([6, 6]);
  });
});
