import type { InboundMessage, Ingest } from '../channels/channel.ts';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { groupCommit } from '../lib/group-commit.ts';
import { type DeliveryStore, type FallbackDedupe, type InboundJob, type InboundQueue, toWire } from './ports.ts';

type Stored = { id: string; created: boolean };

/** SQLSTATE class 22 (data exception) or 23 (integrity violation): this row's fault, not the database's. */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

const unstorable = (err: unknown) =>
  new CodedError(ErrorCode.MalformedBody, '消息内容无法保存（数据库拒绝了这条消息）', undefined, { cause: err });

function toJob(message: InboundMessage, deliveryId?: string): InboundJob {
  return { deliveryId, message: toWire(message) };
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
 * Concurrent messages are group-committed: all that arrived while the previous batch was being written go
 * in one INSERT and one BullMQ addBulk (when the store and the queue can take batches; else one by one).
 * Each message is still durably stored before its caller hears `accepted`.
 */
export function createIngest(deps: {
  deliveries: DeliveryStore;
  queue: InboundQueue;
  fallback: FallbackDedupe;
  onQueueError?: (err: unknown) => void;
}): Ingest {
  /** One INSERT per message; a row the database refuses gets its coded error, the others are stored. */
  const storeEach = (messages: InboundMessage[]) =>
    Promise.all(
      messages.map((m) =>
        deps.deliveries.insert(m).catch((e: unknown) => (isRowError(e) ? unstorable(e) : Promise.reject(e))),
      ),
    );
  const insertMany = deps.deliveries.insertMany?.bind(deps.deliveries);
  const enqueueMany =
    deps.queue.enqueueMany?.bind(deps.queue) ??
    (async (jobs: InboundJob[]) => {
      for (const job of jobs) await deps.queue.enqueue(job);
    });
  const store = groupCommit(
    async (messages: InboundMessage[]): Promise<(Stored | CodedError)[]> => {
      // One statement for the batch when the store can; it is all or nothing, so when the database refuses a
      // row the batch is stored again one by one and only that message gets the error.
      const stored = insertMany
        ? await insertMany(messages).catch((err: unknown) =>
            isRowError(err) ? storeEach(messages) : Promise.reject(err),
          )
        : await storeEach(messages);
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
      return acceptWithoutDatabase(deps, message, dbErr);
    }
    if (stored instanceof CodedError) throw stored;
    return { status: stored.created ? 'accepted' : 'duplicate', deliveryId: stored.id };
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
