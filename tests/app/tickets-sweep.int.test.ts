import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection } from '../../src/jobs/queues.ts';
import { createTimerScheduler, timerJobId } from '../../src/jobs/timers.ts';
import type { Database } from '../../src/store/db.ts';
import { createIdentityStore } from '../../src/store/identities.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { freshPgDatabase, randomName } from '../support/db.ts';
import { REDIS_URL } from '../support/redis.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../support/tickets.ts';

describe('SLA timers survive Redis data loss: the sweep restores them from the database', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const conn = redisConnection(REDIS_URL, 'worker');
  const timers = createTimerScheduler(conn, randomName('sw'));
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    await seedSandboxStaff(db.prisma);
  });
  afterAll(async () => {
    await timers.queue.obliterate({ force: true }).catch(() => {});
    await timers.queue.close();
    conn.disconnect();
    await cleanup();
  });

  it('a flushed queue is refilled with the same deterministic jobs, and only once', async () => {
    const service = await ticketServiceOn(db, timers);
    const customer = await createIdentityStore(db.prisma).resolve('sandbox', 'sweep-c', 'customer');
    const parse = problemParse('damaged');
    const delivery = customerDelivery('sw-1', 'sweep-c', '碗裂了');
    await service.onCustomerMessage({ sender: customer, delivery, parse });
    const t = await db.prisma.ticket.findFirstOrThrow();
    const breach = { ticketId: t.id, kind: 'first_response', revision: t.policyRevision };
    expect(await timers.exists(breach)).toBe(true);

    await timers.queue.obliterate({ force: true }); // Redis lost its data
    expect(await timers.exists(breach)).toBe(false);

    expect(await service.sweep()).toBeGreaterThanOrEqual(1);
    const job = await timers.queue.getJob(timerJobId(breach));
    expect(job?.data).toMatchObject({
      ticketId: t.id,
      kind: 'first_response',
      dueAt: t.firstResponseDueAt?.toISOString(),
    });
    expect(await service.sweep()).toBe(0); // nothing missing any more
  });

  it('restores the timers of every open ticket, not only the first page of them', async () => {
    const service = await ticketServiceOn(db, timers);
    await db.sql.query(`INSERT INTO "Customer" (id, tier) VALUES ('sweep-many', 'normal') ON CONFLICT DO NOTHING`);
    // 1,200 open tickets (2½ sweep pages) with a first-response deadline an hour ahead, one already breached.
    await db.sql.query(
      `INSERT INTO "Ticket" ("customerId", problem, priority, channel, summary, "firstResponseDueAt", "updatedAt")
       SELECT 'sweep-many', 'p' || g, 'P3', 'sandbox', 'sweep', now() + interval '1 hour', now()
       FROM generate_series(1, 1200) g`,
    );
    const ids = (
      await db.sql.query<{ id: number }>(`SELECT id FROM "Ticket" WHERE "customerId" = 'sweep-many' ORDER BY id`)
    ).map((r) => r.id);
    const breachedId = ids[700] ?? 0;
    await db.sql.query(
      `INSERT INTO "SlaEvent" (id, "ticketId", timer, type, "policyRevision", "dueAt", at)
       SELECT 'sweep-breached', id, 'first_response', 'breach', "policyRevision", "firstResponseDueAt", now()
       FROM "Ticket" WHERE id = $1`,
      [breachedId],
    );
    await timers.queue.obliterate({ force: true }); // Redis lost its data

    const [others] = await db.sql.query<{ n: number }>(
      `SELECT (count("firstResponseDueAt") + count("nextUpdateDueAt") + count("resolveDueAt"))::int AS n FROM "Ticket"
       WHERE "customerId" <> 'sweep-many' AND status NOT IN ('resolved', 'closed') AND "pausedAt" IS NULL`,
    );
    expect(await service.sweep()).toBe(1199 + (others?.n ?? 0));
    const spec = (ticketId: number) => ({ ticketId, kind: 'first_response', revision: 0 });
    const present = await timers.existsMany(ids.map((id) => spec(id)));
    expect(present.filter((p) => !p)).toHaveLength(1);
    expect(present[700]).toBe(false); // its breach is already recorded: not re-armed
    expect(present[1199]).toBe(true); // the last page too
    expect(await service.sweep()).toBe(0);
  });
});
