import { type ConnectionOptions, Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { InboundJob, InboundQueue } from '../app/ports.ts';
import type { ChannelId } from '../channels/channel.ts';
import { jobId, shortHash } from '../lib/ids.ts';

export const QUEUE = {
  inbound: 'inbound',
  maintenance: 'maintenance',
} as const;

/**
 * Producer connections fail fast when Redis is down (enableOfflineQueue false) so the request path can
 * fall back; worker connections wait forever (maxRetriesPerRequest null), per BullMQ's production guide.
 */
export function redisConnection(url: string, role: 'producer' | 'worker'): Redis {
  const opts: RedisOptions =
    role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: false };
  const client = new Redis(url, { ...opts, retryStrategy: (n) => Math.min(n * 200, 2000) });
  client.on('error', () => {}); // reported through /healthz and job failures, not as crashes
  return client;
}

export function inboundJobId(channel: ChannelId, platformMsgId: string): string {
  return jobId('in', channel, shortHash(platformMsgId, 24));
}

export function createInboundQueue(connection: ConnectionOptions, prefix: string): InboundQueue & { queue: Queue } {
  const queue = new Queue<InboundJob>(QUEUE.inbound, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 12,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', () => {});
  return {
    queue,
    async enqueue(job) {
      await queue.add('delivery', job, { jobId: inboundJobId(job.message.channel, job.message.platformMsgId) });
    },
    async enqueueMany(jobs) {
      if (jobs.length === 0) return;
      await queue.addBulk(
        jobs.map((job) => ({
          name: 'delivery',
          data: job,
          opts: { jobId: inboundJobId(job.message.channel, job.message.platformMsgId) },
        })),
      );
    },
  };
}
