import type { TimerSpec } from '../src/app/ports.ts';
import { redisConnection } from '../src/jobs/queues.ts';
import { createTimerScheduler, startTimerWorker } from '../src/jobs/timers.ts';
import { createLogger } from '../src/lib/logger.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import type { BenchRow } from './run.ts';

const N = Number(process.env.BENCH_TIMERS ?? 100_000);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/**
 * N pending SLA timers on BullMQ, shaped like the service's: one job per timer that runs at its warning
 * time and again at its deadline (TimerSpec.thenAt). Time to schedule them all (addBulk with deterministic
 * ids), then lateness from each due time to the recorded SlaEvent row (unique key, as the service records
 * warnings and breaches), and the count of double or missing records.
 */
const WARN_BEFORE_MS = 3_000;
export async function bench(): Promise<BenchRow[]> {
  const { db, cleanup } = await freshPgDatabase();
  const prefix = randomName('tb');
  const producer = redisConnection(REDIS_URL, 'worker');
  const workerConn = redisConnection(REDIS_URL, 'worker');
  const scheduler = createTimerScheduler(producer, prefix);
  const rows: BenchRow[] = [];
  try {
    await db.sql.query(`INSERT INTO "Customer" (id, tier) VALUES ('bench-c', 'normal')`);
    await db.sql.query(
      `INSERT INTO "Ticket" ("customerId", problem, priority, channel, summary, "updatedAt")
       SELECT 'bench-c', 'bench', 'P2', 'sandbox', 'bench', now() FROM generate_series(1, $1)`,
      [N],
    );
    const ids = (await db.sql.query<{ id: number }>(`SELECT id FROM "Ticket" ORDER BY id`)).map((r) => r.id);
    // Due times spread over a window the worker can keep up with (~1k/s), starting after scheduling.
    const spreadMs = Math.max(5_000, N);
    const start = Date.now() + 5_000 + N / 20;
    const timers: TimerSpec[] = ids.map((ticketId, i) => {
      const deadline = start + WARN_BEFORE_MS + (i * spreadMs) / N;
      return {
        ticketId,
        kind: 'first_response',
        revision: 1,
        dueAt: new Date(deadline - WARN_BEFORE_MS),
        thenAt: new Date(deadline),
      };
    });
    const warnAt = new Map(timers.map((t) => [t.ticketId, t.dueAt.getTime()]));
    const t0 = performance.now();
    await scheduler.scheduleMany(timers);
    const schedSecs = (performance.now() - t0) / 1000;
    rows.push({
      name: `schedule ${N.toLocaleString('en-US')} timers (addBulk, deterministic ids)`,
      value: schedSecs,
      unit: 's',
      note: `${Math.round(N / schedSecs).toLocaleString('en-US')} jobs/s (target < 10 s)`,
    });
    await scheduler.scheduleMany(timers.slice(0, 1000)); // re-scheduling is a no-op (same ids)

    let fired = 0;
    const worker = startTimerWorker({
      connection: workerConn,
      prefix,
      concurrency: 64,
      log: createLogger({ level: 'silent', secretKeys: [] }),
      onTimer: async (t) => {
        fired++;
        const type = t.dueAt.getTime() === warnAt.get(t.ticketId) ? 'warning' : 'breach';
        await db.sql.query(
          `INSERT INTO "SlaEvent" (id, "ticketId", timer, type, "policyRevision", "dueAt", at)
           VALUES (gen_random_uuid()::text, $1, 'first_response', $2, $3, $4, clock_timestamp()) ON CONFLICT DO NOTHING`,
          [t.ticketId, type, t.revision, t.dueAt],
        );
      },
    });
    const deadline = start + WARN_BEFORE_MS + spreadMs + 60_000;
    while (Date.now() < deadline) {
      const n = (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SlaEvent"`))[0]?.n ?? 0;
      if (n >= 2 * N) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await worker.close();
    const lateness = async (type: string) =>
      (
        await db.sql.query<{ ms: number }>(
          `SELECT extract(epoch FROM (at - "dueAt")) * 1000 AS ms FROM "SlaEvent" WHERE type = $1`,
          [type],
        )
      )
        .map((r) => Number(r.ms))
        .sort((a, b) => a - b);
    const late = await lateness('breach');
    const warned = await lateness('warning');
    rows.push({ name: 'deadline run lateness p50 (due → SlaEvent row)', value: pct(late, 0.5), unit: 'ms' });
    rows.push({ name: 'deadline run lateness p99', value: pct(late, 0.99), unit: 'ms', note: 'target < 500 ms' });
    rows.push({ name: 'deadline run lateness max', value: late.at(-1) ?? 0, unit: 'ms' });
    rows.push({
      name: 'warning run lateness p50 / p99',
      value: pct(warned, 0.99),
      unit: 'ms',
      note: `p50 ${pct(warned, 0.5).toFixed(0)} ms; the first run of each job`,
    });
    rows.push({
      name: 'runs lost (no SlaEvent row)',
      value: 2 * N - late.length - warned.length,
      unit: 'runs',
      note: 'must be 0',
    });
    rows.push({
      name: 'processor runs beyond two per timer',
      value: Math.max(0, fired - 2 * N),
      unit: 'runs',
      note: 'a further run would still record nothing twice (unique key)',
    });
  } finally {
    await scheduler.queue.obliterate({ force: true }).catch(() => {});
    await scheduler.queue.close();
    producer.disconnect();
    workerConn.disconnect();
    await cleanup();
  }
  return rows;
}
