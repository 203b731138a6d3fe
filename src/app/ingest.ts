import type { InboundMessage, Ingest } from '../channels/channel.ts';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { groupCommit } from '../lib/group-commit.ts';
import type { DeliveryStore, FallbackDedupe, InboundJob, InboundQueue } from './ports.ts';

type Stored = { id: string; created: boolean };

/** SQLSTATE class 22 (data exception) or 23 (integrity violation): this row's fault, not the database's. */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

const unstorable = (err: unknown) =>
  new CodedError(ErrorCode.MalformedBody, '消息内容无法保存（数据库拒绝了这条消息）', undefined, { cause: err });

function toJob(message: InboundMessage, deliveryId?: string): InboundJob {
  const { sentAt, ...rest } = message;
  return { deliveryId, message: { ...rest, ...(sentAt ? { sentAt: sentAt.toISOString() } : {}) } };
}

/**
 * The inbound path every channel uses: store (deduped on the platform id) then enqueue. Nothing else
 * runs on the request path.
 *
 * - Database down: the message is accepted into Redis alone (deduped with SET NX, job carries the whole
 *   message) and the worker stores it when the database is back.
 * - Redis down: the stored delivery stays `received`; the relay sweep enqueues it later.
 * - Both down: a coded error, so the platform retries later (WeCom retries, the sandbox shows it).
 *
 * When the store and the queue can take batches, concurrent messages are group-committed: one INSERT
 * and one BullMQ addBulk for all messages that arrived while the previous batch was being written.
 * Each message is still durably stored before its caller hears `accepted`.
 */
export function createIngest(deps: {
  deliveries: DeliveryStore;
  queue: InboundQueue;
  fallback: FallbackDedupe;
  onQueueError?: (err: unknown) => void;
}): Ingest {
  const insertMany = deps.deliveries.insertMany?.bind(deps.deliveries);
  const enqueueMany = deps.queue.enqueueMany?.bind(deps.queue);
  if (insertMany && enqueueMany) {
    const store = groupCommit(
      async (messages: InboundMessage[]): Promise<(Stored | CodedError)[]> => {
        const stored = await insertMany(messages).catch((err: unknown) => {
          // A row the database refuses (a data or constraint error) must not take its batch-mates with it:
          // store them one by one, and only that message gets the error.
          if (messages.length === 1 || !isRowError(err)) throw err;
          return Promise.all(
            messages.map((m) =>
              deps.deliveries.insert(m).catch((e: unknown) => (isRowError(e) ? unstorable(e) : Promise.reject(e))),
            ),
          );
        });
        const jobs = stored.flatMap((s, i) =>
          !(s instanceof CodedError) && s.created && messages[i] ? [toJob(messages[i], s.id)] : [],
        );
        try {
          await enqueueMany(jobs);
        } catch (err) {
          deps.onQueueError?.(err); // kept in the database as `received`; the relay sweep re-enqueues them
        }
        return stored;
      },
      { maxBatch: 200, maxInFlight: 2 },
    );
    return async (message) => {
      let stored: Stored | CodedError;
      try {
        stored = await store(message);
      } catch (dbErr) {
        if (isRowError(dbErr)) throw unstorable(dbErr);
        return acceptWithoutDatabase(deps, message, dbErr);
      }
      if (stored instanceof CodedError) throw stored;
      return { status: stored.created ? 'accepted' : 'duplicate', deliveryId: stored.id };
    };
  }
  return async (message) => {
    let stored: { id: string; created: boolean };
    try {
      stored = await deps.deliveries.insert(message);
    } catch (dbErr) {
      if (isRowError(dbErr)) throw unstorable(dbErr);
      return acceptWithoutDatabase(deps, message, dbErr);
    }
    if (!stored.created) return { status: 'duplicate', deliveryId: stored.id };
    try {
      await deps.queue.enqueue(toJob(message, stored.id));
    } catch (err) {
      deps.onQueueError?.(err); // kept in the database as `received`; the relay sweep re-enqueues it
    }
    return { status: 'accepted', deliveryId: stored.id };
  };
}

async function acceptWithoutDatabase(
  deps: { queue: InboundQueue; fallback: FallbackDedupe },
  message: InboundMessage,
  dbErr: unknown,
) {
  const pendingId = `pending-${message.channel}-${message.platformMsgId}`;
  try {
    const first = await deps.fallback.firstSeen(message.channel, message.platformMsgId);
    if (!first) return { status: 'duplicate' as const, deliveryId: pendingId };
    await deps.queue.enqueue(toJob(message));
    return { status: 'accepted' as const, deliveryId: pendingId };
  } catch (queueErr) {
    throw new CodedError(
      ErrorCode.DatabaseUnavailable,
      '数据库和 Redis 暂时都不可用，消息未能接收，请稍后重试',
      undefined,
      {
        cause: new AggregateError([dbErr, queueErr]),
      },
    );
  }
}
