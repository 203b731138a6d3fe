import { type ConnectionOptions, DelayedError, Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { TimerScheduler, TimerSpec } from '../app/ports.ts';
import { jobId } from '../lib/ids.ts';
import type { Logger } from '../lib/logger.ts';

export const TIMER_QUEUE = 'timers';

/** `sla-<ticket>-<kind>-r<rev>`: deterministic, no ':' and never all digits (bullmq job-ids guide). */
export function timerJobId(t: Pick<TimerSpec, 'ticketId' | 'kind' | 'revision'>): string {
  return jobId('sla', t.ticketId, t.kind, `r${t.revision}`);
}

const TimerPayload = z.object({
  ticketId: z.number().int(),
  kind: z.string().min(1),
  revision: z.number().int(),
  dueAt: z.string(),
  thenAt: z.string().optional(),
});

const payloadOf = (t: TimerSpec) => ({
  ticketId: t.ticketId,
  kind: t.kind,
  revision: t.revision,
  dueAt: t.dueAt.toISOString(),
  ...(t.thenAt ? { thenAt: t.thenAt.toISOString() } : {}),
});

/** BullMQ delayed jobs as the TimerScheduler; the processor re-reads the database, so firing twice is harmless. */
export function createTimerScheduler(
  connection: ConnectionOptions,
  prefix: string,
): TimerScheduler & { queue: Queue; scheduleMany(list: TimerSpec[]): Promise<void> } {
  const queue = new Queue(TIMER_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', () => {});
  /** One pipeline: EXISTS on each job hash and ZSCORE in the failed set (a failed job counts as missing). */
  async function existsMany(list: Pick<TimerSpec, 'ticketId' | 'kind' | 'revision'>[]): Promise<boolean[]> {
    if (list.length === 0) return [];
    const client = await queue.getBackend().client;
    const pipe = client.pipeline();
    for (const t of list) {
      const id = timerJobId(t);
      pipe.runCommand('exists', [queue.toKey(id)]);
      pipe.runCommand('zscore', [queue.keys.failed ?? queue.toKey('failed'), id]);
    }
    const replies = (await pipe.exec()) ?? [];
    return list.map((_, i) => {
      const [existsErr, exists] = replies[2 * i] ?? [];
      const [failedErr, failedScore] = replies[2 * i + 1] ?? [];
      if (existsErr || failedErr) throw existsErr ?? failedErr;
      return exists === 1 && failedScore === null;
    });
  }
  return {
    queue,
    async schedule(t) {
      const delay = Math.max(0, t.dueAt.getTime() - Date.now());
      await queue.add('timer', payloadOf(t), { jobId: timerJobId(t), delay });
    },
    async scheduleMany(list) {
      for (let i = 0; i < list.length; i += 1000) {
        // BullMQ stamps each job when the batch is built and fires it `delay` ms after that stamp, so
        // the delay must be taken from the clock now, not from before the earlier batches were sent
        // (a stale clock made 100k timers fire up to the 4 s their scheduling took late).
        const now = Date.now();
        await queue.addBulk(
          list.slice(i, i + 1000).map((t) => ({
            name: 'timer',
            data: payloadOf(t),
            opts: { jobId: timerJobId(t), delay: Math.max(0, t.dueAt.getTime() - now) },
          })),
        );
      }
    },
    async cancel(t) {
      const job = await queue.getJob(timerJobId(t));
      if (job && !(await job.isActive())) await job.remove().catch(() => {});
    },
    async exists(t) {
      const [found] = await existsMany([t]);
      return found === true;
    },
    existsMany,
  };
}

/**
 * Runs `onTimer` for each due timer. A timer with `thenAt` still in the future is then moved back to the
 * delayed set under the same job id, to fire again at `thenAt` (an SLA timer: warning, then deadline);
 * its second run has no `thenAt`. The processor re-reads the ticket each time, so a run for a stale
 * revision or a closed ticket is a no-op.
 */
export function startTimerWorker(opts: {
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  onTimer: (t: TimerSpec) => Promise<unknown>;
  concurrency?: number;
}): Worker {
  const worker = new Worker(
    TIMER_QUEUE,
    async (job, token) => {
      const { thenAt, ...p } = TimerPayload.parse(job.data);
      const started = Date.now();
      const result = await opts.onTimer({ ...p, dueAt: new Date(p.dueAt) });
      // Compared with the start of this run, not its end: a deadline that passed while the run was busy
      // was not yet due when it evaluated, so the job must run again (at once).
      const again = thenAt ? new Date(thenAt).getTime() : Number.NaN;
      if (!(again > started)) return result;
      await job.updateData({ ...p, dueAt: thenAt });
      await job.moveToDelayed(again, token);
      throw new DelayedError();
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 16 },
  );
  worker.on('failed', (job, err) => opts.log.warn({ jobId: job?.id, err: err.message }, 'SLA 计时任务失败，将重试'));
  worker.on('error', (err) => opts.log.warn({ err: err.message }, 'timer worker 连接错误'));
  return worker;
}
