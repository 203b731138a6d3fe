/**
 * A timer worker in its own process, for the SIGKILL bench (bench/sla-crash.bench.ts): the real
 * startTimerWorker, recording each firing as the service does (SlaEvent under its unique key) and
 * logging every processor run, so the parent can count re-runs after a kill.
 */
import { redisConnection } from '../../src/jobs/queues.ts';
import { startTimerWorker } from '../../src/jobs/timers.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { resolveDatabaseTarget } from '../../src/store/adapter.ts';
import { openDatabase } from '../../src/store/db.ts';

const [databaseUrl, redisUrl, prefix] = process.argv.slice(2);
if (!databaseUrl || !redisUrl || !prefix)
  throw new Error('usage: timer-worker-child <database-url> <redis-url> <prefix>');
const db = await openDatabase(resolveDatabaseTarget(databaseUrl, ''));
const worker = startTimerWorker({
  connection: redisConnection(redisUrl, 'worker'),
  prefix,
  concurrency: 64,
  log: createLogger({ level: 'silent', secretKeys: [] }),
  // A run at the ticket's first-response deadline records the breach; the job's earlier run, the warning.
  onTimer: async (t) => {
    await db.sql.query(
      `WITH run AS (INSERT INTO bench_timer_runs ("ticketId", pid) VALUES ($1, $4))
       INSERT INTO "SlaEvent" (id, "ticketId", timer, type, "policyRevision", "dueAt", at)
       SELECT gen_random_uuid()::text, $1, 'first_response',
         CASE WHEN round(extract(epoch FROM t."firstResponseDueAt") * 1000) = $5 THEN 'breach' ELSE 'warning' END,
         $2, $3, clock_timestamp()
       FROM "Ticket" t WHERE t.id = $1
       ON CONFLICT DO NOTHING`,
      [t.ticketId, t.revision, t.dueAt, process.pid, t.dueAt.getTime()],
    );
  },
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
