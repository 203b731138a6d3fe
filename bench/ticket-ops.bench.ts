import { redisConnection } from '../src/jobs/queues.ts';
import { createTimerScheduler } from '../src/jobs/timers.ts';
import { seedSandboxStaff } from '../src/store/seed-sandbox.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../tests/support/tickets.ts';
import type { BenchRow } from './run.ts';

const OPS = Number(process.env.BENCH_TICKET_OPS ?? 3000);
const RATE = Number(process.env.BENCH_TICKET_RATE ?? 500);
const RATE_SECONDS = Number(process.env.BENCH_TICKET_RATE_SECONDS ?? 10);
const PROBLEMS = ['damaged', 'not_received', 'wrong_item', 'return_refund', 'quality_issue', 'logistics_delay'];

/**
 * Open-loop load: op i starts at t0 + i / RATE whatever the earlier ones are doing, and its latency is
 * measured from that scheduled start (a backlog shows up as latency instead of lowering the rate).
 * Fresh customers, so the mix is the same as the saturated run: new tickets, then reminders.
 */
async function atFixedRate(
  service: Awaited<ReturnType<typeof ticketServiceOn>>,
  customerIds: string[],
): Promise<{ p50: number; p99: number; done: number; achieved: number }> {
  const total = RATE * RATE_SECONDS;
  const lat: number[] = [];
  const t0 = performance.now();
  const ops: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const c = customerIds[(i * 13) % customerIds.length] ?? '';
    const primary = PROBLEMS[(i * 5) % PROBLEMS.length] ?? 'damaged';
    ops.push(
      service
        .onCustomerMessage({
          sender: { kind: 'customer', id: c, role: 'customer', tier: 'normal' },
          delivery: customerDelivery(`r-${i}`, c, '东西有问题，怎么处理'),
          parse: problemParse(primary),
        })
        .then(() => {
          lat.push(performance.now() - due);
        }),
    );
  }
  await Promise.all(ops);
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    p50: lat[Math.floor(lat.length * 0.5)] ?? 0,
    p99: lat[Math.floor(lat.length * 0.99)] ?? 0,
    done: lat.length,
    achieved: lat.length / secs,
  };
}

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
    const others = await Promise.all(
      Array.from({ length: 500 }, (_, i) => db.prisma.customer.create({ data: { name: `顾客B${i}` } })),
    );
    const fixed = await atFixedRate(
      service,
      others.map((c) => c.id),
    );
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
        name: 'ticket op latency p99 (16 in flight, saturated)',
        value: lat[Math.floor(lat.length * 0.99)] ?? 0,
        unit: 'ms',
        note: 'queueing at full load: 16 in flight ÷ throughput',
      },
      {
        name: `ticket op latency p50 at a fixed ${RATE}/s`,
        value: fixed.p50,
        unit: 'ms',
        note: `${fixed.done} ops over ${RATE_SECONDS} s, timed from each op's scheduled start`,
      },
      {
        name: `ticket op latency p99 at a fixed ${RATE}/s`,
        value: fixed.p99,
        unit: 'ms',
        note: `target < 20 ms; achieved ${fixed.achieved.toFixed(0)}/s`,
      },
    ];
  } finally {
    await timers.queue.obliterate({ force: true }).catch(() => {});
    await timers.queue.close();
    conn.disconnect();
    await cleanup();
  }
}
