import type { Queue } from 'bullmq';
import { type DeliveryStore, type InboundQueue, toWire } from '../app/ports.ts';
import { inboundJobId } from './queues.ts';

/**
 * The safety net behind the inbound queue: deliveries stored but not finished after `staleMs` (Redis
 * was down at accept time, Redis lost its data, or every retry ran out while the database was down)
 * are queued again. The deterministic job id makes this a no-op for jobs that are still queued.
 */
export async function relayStaleDeliveries(deps: {
  deliveries: DeliveryStore;
  inbound: InboundQueue;
  queue: Queue;
  staleMs: number;
  limit?: number;
}): Promise<number> {
  const stale = await deps.deliveries.listStale(deps.staleMs, deps.limit ?? 500);
  let requeued = 0;
  for (const d of stale) {
    const job = await deps.queue.getJob(inboundJobId(d.channel, d.platformMsgId));
    if (!job) {
      const full = await deps.deliveries.get(d.id);
      if (!full) continue;
      const { id, status, attempts, receivedAt, ...message } = full;
      await deps.inbound.enqueue({ deliveryId: id, message: toWire(message) });
      requeued++;
    } else if (await job.isFailed()) {
      await job.retry('failed');
      requeued++;
    }
  }
  return requeued;
}
