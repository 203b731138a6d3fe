import { redisConnection } from '../src/jobs/queues.ts';
import { createTimerScheduler } from '../src/jobs/timers.ts';
import { seedSandboxStaff } from '../src/store/seed-sandbox.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../tests/support/tickets.ts';
import type { BenchRow } from './run.ts';

const OPS = Number(process.env.BENCH_TICKET_OPS ?? 3000);
const PROBLEMS = ['damaged', 'not_received', 'wrong_item', 'return_refund', 'quality_issue', 'logistics_delay'];

/** Ticket create / attach from a parsed message on PostgreSQL, with real SLA timers on BullMQ. */
export async function bench(): Promise<BenchRow[]> {
  const { db, cleanup } = await freshPgDatabase();
  const conn = redisConnection(REDIS_URL, 'worker');
  const timers = createTimerScheduler(conn, randomName('tk'));
  try {
    await seedSandboxStaff(db.prisma);
    const service = await ticketServiceOn(db, timers);
    const customers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => db.prisma.customer.create({ data: { name: `顾客${i}` } })),
    );
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < OPS) {
          const i = next++;
          const c = customers[i % customers.length];
          if (!c) continue;
          const primary = PROBLEMS[(i * 7) % PROBLEMS.length] ?? 'damaged';
          const parse = problemParse(primary);
          const delivery = customerDelivery(`b-${i}`, c.id, '东西有问题');
          const s = performance.now();
          await service.onCustomerMessage({
            sender: { kind: 'customer', id: c.id, role: 'customer', tier: 'normal' },
            delivery,
            parse,
          });
          lat.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    const tickets = (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Ticket"`))[0]?.n ?? 0;
    return [
      {
        name: `ticket create/attach from a parse, 16 in flight (${OPS} ops, ${tickets} tickets)`,
        value: OPS / secs,
        unit: 'ops/s',
        note: 'target ≥ 500/s',
      },
      { name: 'ticket op latency p50', value: lat[Math.floor(lat.length * 0.5)] ?? 0, unit: 'ms' },
      {
        name: 'ticket op latency p99',
        value: lat[Math.floor(lat.length * 0.99)] ?? 0,
        unit: 'ms',
        note: 'target < 20 ms',
      },
    ];
  } finally {
    await timers.queue.obliterate({ force: true }).catch(() => {});
    await timers.queue.close();
    conn.disconnect();
    await cleanup();
  }
}
