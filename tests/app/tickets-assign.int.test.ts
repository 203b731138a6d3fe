import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimerScheduler } from '../../src/app/ports.ts';
import type { Database } from '../../src/store/db.ts';
import { createIdentityStore } from '../../src/store/identities.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { freshPgDatabase, freshPgliteDatabase } from '../support/db.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../support/tickets.ts';

const noTimers: TimerScheduler = {
  schedule: async () => {},
  cancel: async () => {},
  exists: async () => false,
  existsMany: async (list) => list.map(() => false),
};

/** A database with the sandbox staff, open for the tests of the enclosing describe block. */
function seededDatabase(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>): () => Database {
  let opened: { db: Database; cleanup(): Promise<void> } | undefined;
  beforeAll(async () => {
    opened = await open();
    await seedSandboxStaff(opened.db.prisma);
  });
  afterAll(async () => opened?.cleanup());
  return () => {
    if (!opened) throw new Error('database not open yet');
    return opened.db;
  };
}

describe('round-robin assignment under concurrent ticket creation (PostgreSQL)', () => {
  const db = seededDatabase(freshPgDatabase);

  it('12 tickets opened at the same moment are shared 6/6 between the two agents on duty', async () => {
    const service = await ticketServiceOn(db(), noTimers);
    const ids = createIdentityStore(db().prisma);
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
    const rows = await db().sql.query<{ assigneeId: string; n: number }>(
      `SELECT "assigneeId", count(*)::int AS n FROM "Ticket" GROUP BY "assigneeId" ORDER BY "assigneeId"`,
    );
    expect(rows.map((r) => r.n)).toEqual([6, 6]);
  });
});

describe('the ticket path on PGlite (the embedded default)', () => {
  const db = seededDatabase(freshPgliteDatabase);

  it('opens, assigns, pushes, attaches a reminder and ignores a redelivery', async () => {
    const service = await ticketServiceOn(db(), noTimers);
    const sender = await createIdentityStore(db().prisma).resolve('sandbox', 'pg-lite-1', 'customer');
    const first = (
      await service.onCustomerMessage({
        sender,
        delivery: customerDelivery('pl-1', 'pg-lite-1', '杯子裂了'),
        parse: problemParse('damaged', '杯子裂了'),
      })
    )?.text;
    expect(first).toContain('工单 #1');
    const again = customerDelivery('pl-2', 'pg-lite-1', '怎么还没人理');
    const reminder = (await service.onCustomerMessage({ sender, delivery: again, parse: problemParse('damaged') }))
      ?.text;
    const redelivered = (await service.onCustomerMessage({ sender, delivery: again, parse: problemParse('damaged') }))
      ?.text;
    expect(reminder).toContain('#1');
    expect(redelivered).toContain('#1');
    const [t] = await db().sql.query<{ assigneeId: string | null; reminderCount: number; due: string | null }>(
      `SELECT "assigneeId", "reminderCount", "firstResponseDueAt"::text AS due FROM "Ticket"`,
    );
    expect(t?.assigneeId).not.toBeNull();
    expect(t?.reminderCount).toBe(1);
    expect(t?.due).not.toBeNull();
    const events = await db().sql.query<{ type: string }>(`SELECT type FROM "TicketEvent" ORDER BY at, type`);
    expect(events.map((e) => e.type)).toEqual(['created', 'reminder']);
    const pushes = await db().sql.query<{ dedupeKey: string }>(
      `SELECT "dedupeKey" FROM "OutboundMessage" ORDER BY "createdAt"`,
    );
    expect(pushes.map((p) => p.dedupeKey.split('-sandbox-')[0])).toEqual(['assigned-1', 'remind-1-pl-2']);
  });
});
