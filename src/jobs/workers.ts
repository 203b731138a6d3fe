import { type ConnectionOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import type { InboundJob } from '../app/ports.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { QUEUE } from './queues.ts';

const InboundJobSchema = z.object({
  deliveryId: z.string().optional(),
  message: z
    .object({
      channel: z.enum(['sandbox', 'wecom', 'wecom_kf', 'wecom_bot', 'dingtalk']),
      platformMsgId: z.string().min(1),
      userRef: z.string().min(1),
      role: z.enum(['customer', 'staff', 'manager']),
      text: z.string(),
    })
    .passthrough(),
});

/** BullMQ worker for inbound deliveries; a payload that can never succeed fails without retries. */
export function startInboundWorker(opts: {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  log: Logger;
  metrics: Metrics;
  process: (job: InboundJob) => Promise<string>;
}): Worker {
  const worker = new Worker(
    QUEUE.inbound,
    async (job) => {
      const parsed = InboundJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`入站任务格式错误：${parsed.error.message}`);
      return opts.process(job.data as InboundJob);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency },
  );
  worker.on('completed', (_job, outcome) =>
    opts.metrics.processed.inc({ queue: QUEUE.inbound, outcome: String(outcome) }),
  );
  worker.on('failed', (job, err) => {
    opts.metrics.processed.inc({ queue: QUEUE.inbound, outcome: 'failed' });
    opts.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, '入站消息处理失败，将重试');
  });
  worker.on('error', (err) => opts.log.warn({ err: err.message }, 'inbound worker 连接错误'));
  return worker;
}

export type MaintenanceTask = { name: string; everyMs: number; run: () => Promise<unknown> };

/**
 * Periodic tasks (relay sweep, SLA sweep, anomaly radar) as BullMQ job schedulers, so with many worker
 * processes each tick runs once. A new scheduler's first job runs at once; an existing one (a restarted
 * worker, a sandbox restarted on a fresh database under the same queue prefix) keeps its schedule, so a
 * start-up job is added then (one per task and interval bucket), or the restart would wait a whole
 * interval — five minutes for the anomaly radar.
 */
export async function startMaintenance(opts: {
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  tasks: MaintenanceTask[];
}): Promise<{ worker: Worker; queue: Queue }> {
  const queue = new Queue(QUEUE.maintenance, { connection: opts.connection, prefix: opts.prefix });
  queue.on('error', () => {});
  for (const t of opts.tasks) {
    const existed = (await queue.getJobScheduler(t.name)) !== undefined;
    await queue.upsertJobScheduler(
      t.name,
      { every: t.everyMs },
      { name: t.name, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    if (existed) {
      const bucket = Math.floor(Date.now() / t.everyMs);
      await queue.add(t.name, {}, { jobId: `start-${t.name}-${bucket}`, removeOnComplete: 100, removeOnFail: 100 });
    }
  }
  const byName = new Map(opts.tasks.map((t) => [t.name, t]));
  const worker = new Worker(
    QUEUE.maintenance,
    async (job) => {
      const task = byName.get(job.name);
      if (!task) return 'unknown-task';
      return task.run();
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => opts.log.warn({ task: job?.name, err: err.message }, '定时任务失败'));
  worker.on('error', (err) => opts.log.warn({ err: err.message }, 'maintenance worker 连接错误'));
  return { worker, queue };
}
