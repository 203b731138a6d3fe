import { Redis } from 'ioredis';
import { SendBudget } from '../src/channels/outbound/budget-store.ts';
import { createKfWindows } from '../src/compose/wecom.ts';
import { redisConnection } from '../src/jobs/queues.ts';
import { createTimerScheduler } from '../src/jobs/timers.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import { ticketServiceOn } from '../tests/support/tickets.ts';
import type { BenchRow } from './run.ts';

const CUSTOMERS = Number(process.env.BENCH_KEEPALIVE_CUSTOMERS ?? 5000);
const HOUR = 3_600_000;

/**
 * The 微信客服 keep-alive sweep (a maintenance task every 10 minutes) over many customers with open tickets:
 * real PostgreSQL (tickets, outbox) and Redis (the send budget's windows), the channel's send replaced by
 * one that succeeds. Half the customers last wrote 45 h ago (a reminder is due), half 2 h ago.
 */
export async function bench(): Promise<BenchRow[]> {
  const { db, cleanup } = await freshPgDatabase();
  const redis = new Redis(REDIS_URL);
  const prefix = randomName('qb');
  const producer = redisConnection(REDIS_URL, 'producer');
  try {
    await db.sql.query(
      `WITH c AS (
         INSERT INTO "Customer" (id, name) SELECT 'kc' || g, '顾客' || g FROM generate_series(1, $1) g RETURNING id),
       i AS (
         INSERT INTO "Identity" (id, platform, "externalId", kind, "customerId")
         SELECT 'ki' || substr(id, 3), 'wecom_kf', 'wm' || substr(id, 3), 'customer', id FROM c RETURNING 1)
       INSERT INTO "Ticket" ("customerId", problem, priority, channel, summary, "updatedAt")
       SELECT id, 'damaged', 'P2', 'wecom_kf', '杯子碎了', now() FROM c`,
      [CUSTOMERS],
    );
    const budget = new SendBudget({ redis, prefix: `${prefix}:` });
    const now = Date.now();
    for (let n = 1; n <= CUSTOMERS; n++)
      await budget.noteCustomerMessage('wkSHOP', `wm${n}`, now - (n % 2 === 0 ? 45 : 2) * HOUR);
    let sends = 0;
    const service = await ticketServiceOn(db, createTimerScheduler(producer, prefix), {
      send: async () => {
        sends++;
        return { status: 'sent' };
      },
      kf: createKfWindows(budget, '0-24'),
    });
    const t0 = performance.now();
    const first = await service.keepKfCustomersReachable();
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    await service.keepKfCustomersReachable();
    const againMs = performance.now() - t1;
    // One reminder per window: a second sweep that sends anything is a bug, not a number.
    if (first !== Math.floor(CUSTOMERS / 2) || sends !== first)
      throw new Error(
        `kf-keepalive: expected ${Math.floor(CUSTOMERS / 2)} reminders once, got ${first} then ${sends - first} more`,
      );
    return [
      {
        name: `keep-alive sweep, ${CUSTOMERS.toLocaleString('en-US')} kf customers with open tickets`,
        value: firstMs,
        unit: 'ms',
        note: `${first} reminders sent (half are due); ${(firstMs / CUSTOMERS).toFixed(2)} ms per customer`,
      },
      {
        name: 'the next sweep (every reminder already sent)',
        value: againMs,
        unit: 'ms',
        note: 'none sent again',
      },
    ];
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
    producer.disconnect();
    await cleanup();
  }
}
