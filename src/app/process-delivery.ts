import type { OutboundMessage } from '../channels/channel.ts';
import {
  type DeliveryStore,
  DONE,
  fromWire,
  type InboundJob,
  type Outbox,
  type Sender,
  type StoredDelivery,
} from './ports.ts';

/** Computes the bot's messages for one delivery (and performs its ticket side effects idempotently). */
export type Responder = (delivery: StoredDelivery) => Promise<OutboundMessage[]>;

export type ProcessOutcome = 'processed' | 'skipped';

/**
 * The worker's handling of one inbound job. Safe to run twice for the same delivery: a finished
 * delivery is skipped, and each reply goes through the outbox under a stable key, so a retry after a
 * crash never sends the same reply twice.
 */
export function createDeliveryProcessor(deps: {
  deliveries: DeliveryStore;
  outbox: Outbox;
  send: Sender;
  respond: Responder;
}) {
  return async (job: InboundJob): Promise<ProcessOutcome> => {
    // Accepted while the database was down: store it now (the unique key still dedupes).
    const deliveryId = job.deliveryId ?? (await deps.deliveries.insert(fromWire(job.message))).id;
    const delivery = await deps.deliveries.claim(deliveryId);
    if (!delivery) return 'skipped';
    try {
      const replies = await deps.respond(delivery);
      for (const reply of replies) await deliver(deps, reply, deliveryId);
      await deps.deliveries.finish(deliveryId, { status: 'done' });
      return 'processed';
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await deps.deliveries.finish(deliveryId, { status: 'failed', error }).catch(() => {});
      throw err;
    }
  };
}

async function deliver(deps: { outbox: Outbox; send: Sender }, reply: OutboundMessage, deliveryId: string) {
  const entry = await deps.outbox.record(reply, { deliveryId });
  if (DONE.has(entry.status)) return;
  const result = await deps.send(reply);
  await deps.outbox.mark(entry.id, result);
}
