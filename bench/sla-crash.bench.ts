/**
 * SLA timers through a worker crash and a Redis data loss (issue 4): N timers due at ~1,000/s are
 * fired by a timer worker in a child process; at 30 % of the window the worker is killed with SIGKILL
 * and a new one started; at 60 % Redis loses every queued timer (the queue is obliterated) and the
 * real sweep (`restoreMissingTimers`) restores them from the tickets' deadlines in PostgreSQL.
 * Counted: timers lost (no SlaEvent), timers recorded twice, processor re-runs, and lateness.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TimerSpec } from '../src/app/ports.ts';
import { restoreMissingTimers } from '../src/app/tickets/timers.ts';
import { redisConnection } from '../src/jobs/queues.ts';
import { createTimerScheduler } from '../src/jobs/timers.ts';
import { createTicketRepo } from '../src/store/tickets.repo.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import type { BenchRow } from './run.ts';
import { firstLine, startNode } from './support/spawn.ts';

const N = Number(process.env.BENCH_CRASH_TIMERS ?? 30_000);
const CHILD = path.join(path.dirname(new URL(import.meta.url).pathname), 'support', 'timer-worker-child.ts');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

async function startChild(url: string, prefix: string): Promise<ChildProcess> {
  const child = startNode(['--import', 'tsx', CHILD, url, REDIS_URL, prefix]);
  const line = await firstLine(child);
  if (line !== 'ready') throw new Error(`timer worker did not start: ${line}`);
  return child.proc;
}

export async function bench(): Promise<BenchRow[]> {
  const { db, url, cleanup } = await freshPgDatabase();
  const prefix = randomName('tc');
  const producer = redisConnection(REDIS_URL, 'worker');
  const scheduler = createTimerScheduler(producer, prefix);
  const children: ChildProcess[] = [];
  try {
    await db.sql.query(`CREATE TABLE bench_timer_runs ("ticketId" int NOT NULL, pid int NOT NULL)`);
    await db.sql.query(`INSERT INTO "Customer" (id, tier) VALUES ('bench-c', 'normal')`);
    const spreadMs = Math.max(10_000, N);
    const start = Date.now() + 8_000 + N / 10;
    // Open tickets whose first-response deadline is the timer's due time: what the sweep restores from.
    await db.sql.query(
      `INSERT INTO "Ticket" ("customerId", problem, priority, channel, summary, "firstResponseDueAt", "updatedAt")
       SELECT 'bench-c', 'p' || g, 'P2', 'sandbox', 'bench',
         to_timestamp(($2::float8 + (g - 1) * $3::float8 / $1) / 1000) AT TIME ZONE 'UTC', now()
       FROM generate_series(1, $1) g`,
      [N, start, spreadMs],
    );
    const tickets = await db.sql.query<{ id: number; due: Date; rev: number }>(
      `SELECT id, "firstResponseDueAt" AS due, "policyRevision" AS rev FROM "Ticket" ORDER BY id`,
    );
    // Shaped like the service's timers: one job per ticket, a warning run 3 s before the deadline run.
    const timers: TimerSpec[] = tickets.map((t) => ({
      ticketId: t.id,
      kind: 'first_response',
      revision: t.rev,
      dueAt: new Date(new Date(t.due).getTime() - 3_000),
      thenAt: new Date(t.due),
    }));
    await scheduler.scheduleMany(timers);
    children.push(await startChild(url, prefix));

    await sleepUntil(start + spreadMs * 0.3);
    children[0]?.kill('SIGKILL');
    const killedAt = Date.now();
    children.push(await startChild(url, prefix));
    const restartMs = Date.now() - killedAt;

    await sleepUntil(start + spreadMs * 0.6);
    await scheduler.queue.obliterate({ force: true }); // Redis lost every queued timer
    const lostAt = Date.now();
    const repo = createTicketRepo(db.prisma, db.sql);
    const sweepT0 = performance.now();
    const restored = await restoreMissingTimers({ repo, timers: scheduler });
    const sweepMs = performance.now() - sweepT0;

    const deadline = start + spreadMs + 90_000; // a job active at SIGKILL is retried after its lock expires (30 s)
    let recorded = 0;
    while (Date.now() < deadline) {
      recorded =
        (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SlaEvent" WHERE type = 'breach'`))[0]?.n ??
        0;
      if (recorded >= N) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const [dupes] = await db.sql.query<{ n: number }>(
      `SELECT (count(*) - count(DISTINCT ("ticketId", timer, type, "dueAt")))::int AS n FROM "SlaEvent"`,
    );
    const [warnings] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "SlaEvent" WHERE type = 'warning'`,
    );
    const [runs] = await db.sql.query<{ n: number; killed: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE pid = $1)::int AS killed FROM bench_timer_runs`,
      [children[0]?.pid ?? 0],
    );
    const late = (
      await db.sql.query<{ ms: number }>(
        `SELECT extract(epoch FROM (at - "dueAt")) * 1000 AS ms FROM "SlaEvent" WHERE type = 'breach'`,
      )
    )
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const over = (ms: number) => late.filter((l) => l > ms).length;
    return [
      {
        name: `timers (due ~${Math.round(N / (spreadMs / 1000))}/s over ${spreadMs / 1000} s)`,
        value: N,
        unit: 'timers',
      },
      { name: 'worker SIGKILLed at 30 %, new worker ready after', value: restartMs, unit: 'ms' },
      {
        name: 'Redis queue flushed at 60 %; sweep restored',
        value: restored,
        unit: 'timers',
        note: `in ${(sweepMs / 1000).toFixed(1)} s, ${Math.round((Date.now() - lostAt) / 1000)} s before the end`,
      },
      { name: 'deadlines lost (no breach SlaEvent row)', value: N - recorded, unit: 'timers', note: 'must be 0' },
      {
        name: 'warning runs recorded',
        value: warnings?.n ?? 0,
        unit: 'runs',
        note: 'those due while Redis was empty are not restored: the sweep re-arms deadlines',
      },
      { name: 'events recorded twice', value: dupes?.n ?? 0, unit: 'events', note: 'must be 0 (unique key)' },
      {
        name: 'processor runs beyond one per recorded event',
        value: Math.max(0, (runs?.n ?? 0) - recorded - (warnings?.n ?? 0)),
        unit: 'runs',
        note: `re-runs of jobs the killed worker held (its runs: ${runs?.killed ?? 0}); recorded once each`,
      },
      {
        name: 'deadline lateness p50 / p99',
        value: pct(late, 0.5),
        unit: 'ms',
        note: `p99 ${Math.round(pct(late, 0.99))} ms`,
      },
      {
        name: 'deadlines later than 500 ms',
        value: over(500),
        unit: 'timers',
        note: `max ${Math.round(late.at(-1) ?? 0)} ms: timers due in the gap without a worker, or while Redis was empty until the sweep re-armed them`,
      },
    ];
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await scheduler.queue.obliterate({ force: true }).catch(() => {});
    await scheduler.queue.close();
    producer.disconnect();
    await cleanup();
  }
}
