import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/app/notify.ts';
import type { TimerScheduler } from '../../src/app/ports.ts';
import { createTicketService } from '../../src/app/tickets/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Database } from '../../src/store/db.ts';
import { createDirectory } from '../../src/store/directory.repo.ts';
import { createIdentityStore } from '../../src/store/identities.repo.ts';
import { createOutbox } from '../../src/store/outbox.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { seedAndLoadTicketConfig } from '../../src/store/seed-tickets.ts';
import { createTicketRepo } from '../../src/store/tickets.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

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
    const directory = createDirectory(db.prisma, {});
    const service = createTicketService({
      repo: createTicketRepo(db.prisma),
      config: await seedAndLoadTicketConfig(db.prisma),
      timers: noTimers,
      notifier: createNotifier({ outbox: createOutbox(db.sql), send: async () => ({ status: 'sent' }), directory }),
      directory,
      now: () => new Date(),
      log: createLogger({ level: 'silent', secretKeys: [] }),
    });
    const ids = createIdentityStore(db.prisma);
    const customers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ids.resolve('sandbox', `rr-${i}`, 'customer')),
    );
    await Promise.all(
      customers.map((sender, i) =>
        service.onCustomerMessage({
          sender,
          delivery: {
            id: `rr-d-${i}`,
            channel: 'sandbox',
            platformMsgId: `rr-${i}`,
            userRef: `rr-${i}`,
            role: 'customer',
            text: '杯子裂了',
            status: 'processing',
            attempts: 1,
            receivedAt: new Date(),
          },
          parse: {
            text: '杯子裂了',
            intents: [{ id: 'damaged', score: 0.9 }],
            primary: 'damaged',
            entities: [],
            urgency: { level: 'normal', cues: [] },
            confidence: 0.9,
            notes: [],
            escalateToManager: false,
          },
        }),
      ),
    );
    const rows = await db.sql.query<{ assigneeId: string; n: number }>(
      `SELECT "assigneeId", count(*)::int AS n FROM "Ticket" GROUP BY "assigneeId" ORDER BY "assigneeId"`,
    );
    expect(rows.map((r) => r.n)).toEqual([6, 6]);
  });
});
