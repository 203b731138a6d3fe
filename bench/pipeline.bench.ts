import { Queue } from 'bullmq';
import { createIngest } from '../src/app/ingest.ts';
import { createDeliveryProcessor } from '../src/app/process-delivery.ts';
import { createFallbackDedupe } from '../src/jobs/fallback-dedupe.ts';
import { createInboundQueue, redisConnection } from '../src/jobs/queues.ts';
import { createDeliveryStore } from '../src/store/deliveries.repo.ts';
import { createOutbox } from '../src/store/outbox.repo.ts';
import { freshPgDatabase, randomName } from '../tests/support/db.ts';
import { REDIS_URL } from '../tests/support/redis.ts';
import type { BenchRow } from './run.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 5000);

/** The inbound path on PostgreSQL + Redis: accept (store + enqueue) and worker processing, both with concurrency. */
export async function bench(): Promise<BenchRow[]> {
  const { db, cleanup } = await freshPgDatabase();
  const producer = redisConnection(REDIS_URL, 'producer');
  const prefix = randomName('bench');
  const inbound = createInboundQueue(producer, prefix);
  const deliveries = createDeliveryStore(db.sql);
  const ingest = createIngest({ deliveries, queue: inbound, fallback: createFallbackDedupe(producer, prefix) });
  const rows: BenchRow[] = [];
  try {
    const latencies: number[] = [];
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < N) {
          const i = next++;
          const s = performance.now();
          await ingest({
            channel: 'sandbox',
            platformMsgId: `b-${i}`,
            userRef: `u${i % 500}`,
            role: 'customer',
            text: '我的快递三天没更新了 SF1234567890123',
          });
          latencies.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push({
      name: 'accept (store + enqueue), 32 in flight',
      value: N / secs,
      unit: 'msg/s',
      note: `${N} messages`,
    });
    rows.push({ name: 'accept latency p99', value: latencies[Math.floor(latencies.length * 0.99)] ?? 0, unit: 'ms' });
    const dupStart = performance.now();
    for (let i = 0; i < 1000; i++)
      await ingest({ channel: 'sandbox', platformMsgId: `b-${i}`, userRef: 'u', role: 'customer', text: 'x' });
    rows.push({
      name: 'duplicate re-delivery (sequential)',
      value: 1000 / ((performance.now() - dupStart) / 1000),
      unit: 'msg/s',
    });

    const processor = createDeliveryProcessor({
      deliveries,
      outbox: createOutbox(db.sql),
      send: async () => ({ status: 'sent' }),
      respond: async (d) => [
        { channel: d.channel, target: { userRef: d.userRef }, kind: 'reply', text: 'ok', dedupeKey: `reply-${d.id}-0` },
      ],
    });
    const jobs = await new Queue(inbound.queue.name, { connection: producer, prefix }).getJobs(['waiting'], 0, N);
    const p0 = performance.now();
    let k = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (k < jobs.length) {
          const job = jobs[k++];
          if (job) await processor(job.data);
        }
      }),
    );
    rows.push({
      name: 'process (claim + reply via outbox + finish), 16 in flight',
      value: jobs.length / ((performance.now() - p0) / 1000),
      unit: 'msg/s',
      note: 'no-op responder: pipeline overhead only',
    });
  } finally {
    await inbound.queue.obliterate({ force: true }).catch(() => {});
    await inbound.queue.close();
    producer.disconnect();
    await cleanup();
  }
  return rows;
}
