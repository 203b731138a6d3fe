import { randomUUID } from 'node:crypto';
import type { DeliveryStore, StoredDelivery } from '../app/ports.ts';
import {
  type ChannelId,
  INBOUND_EVENTS,
  type InboundEvent,
  type InboundMessage,
  MEDIA_TEXT,
} from '../channels/channel.ts';
import type { Sql } from './db.ts';

interface Row {
  id: string;
  channel: ChannelId;
  platformMsgId: string;
  userRef: string;
  role: StoredDelivery['role'];
  chatId: string | null;
  text: string;
  payload: Record<string, unknown> | string;
  status: StoredDelivery['status'];
  attempts: number;
  receivedAt: Date | string;
}

const isMedia = (v: unknown): v is NonNullable<InboundMessage['media']> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { kind?: unknown }).kind === 'string' &&
  (v as { kind: string }).kind in MEDIA_TEXT;

const isEvent = (v: unknown): v is InboundEvent => INBOUND_EVENTS.includes(v as InboundEvent);

function toDelivery(r: Row): StoredDelivery {
  const payload = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>;
  const sentAt = typeof payload.sentAt === 'string' ? new Date(payload.sentAt) : undefined;
  return {
    id: r.id,
    channel: r.channel,
    platformMsgId: r.platformMsgId,
    userRef: r.userRef,
    role: r.role,
    ...(r.chatId ? { chatId: r.chatId } : {}),
    text: r.text,
    ...(typeof payload.displayName === 'string' ? { displayName: payload.displayName } : {}),
    ...(payload.replyContext ? { replyContext: payload.replyContext as Record<string, unknown> } : {}),
    ...(sentAt ? { sentAt } : {}),
    ...(isMedia(payload.media) ? { media: payload.media } : {}),
    ...(isEvent(payload.event) ? { event: payload.event } : {}),
    status: r.status,
    attempts: Number(r.attempts),
    receivedAt: new Date(r.receivedAt),
  };
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, and a message carrying one (the sandbox API takes any JSON
 * string) would fail its INSERT — and with the group commit, its whole batch. The character is dropped.
 */
const nul = (v: string) => (v.includes('\u0000') ? v.replaceAll('\u0000', '') : v);

function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return nul(v) as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [nul(k), withoutNul(x)])) as T;
  }
  return v;
}

/** The message as stored: U+0000 dropped, the optional parts in the JSON payload. */
function rowOf(m: InboundMessage) {
  return {
    platformMsgId: nul(m.platformMsgId),
    userRef: nul(m.userRef),
    chatId: m.chatId === undefined ? null : nul(m.chatId),
    text: nul(m.text),
    payload: JSON.stringify(
      withoutNul({
        displayName: m.displayName,
        replyContext: m.replyContext,
        sentAt: m.sentAt?.toISOString(),
        media: m.media,
        event: m.event,
      }),
    ),
  };
}

const COLUMNS = `id, channel, "platformMsgId", "userRef", role, "chatId", text, payload, status, attempts, "receivedAt"`;

/**
 * Deliveries on the hot path in plain SQL (one statement each), because the ORM costs ~2 ms of CPU
 * per write (shared/docs/stack.md). The unique (channel, platformMsgId) index is the dedupe.
 */
export function createDeliveryStore(sql: Sql): DeliveryStore & Required<Pick<DeliveryStore, 'insertMany'>> {
  const store: DeliveryStore & Required<Pick<DeliveryStore, 'insertMany'>> = {
    async insertMany(messages) {
      if (messages.length === 0) return [];
      const ids = messages.map(() => randomUUID());
      const rows = messages.map(rowOf);
      // One statement for the whole batch. A key repeated within the batch (or already stored) is skipped
      // by ON CONFLICT; only inserted rows come back, so the rest are looked up below.
      const inserted = await sql.query<{ id: string }>(
        `INSERT INTO "InboundDelivery" (id, channel, "platformMsgId", "userRef", role, "chatId", text, payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
         ON CONFLICT (channel, "platformMsgId") DO NOTHING RETURNING id`,
        [
          ids,
          messages.map((m) => m.channel),
          rows.map((r) => r.platformMsgId),
          rows.map((r) => r.userRef),
          messages.map((m) => m.role),
          rows.map((r) => r.chatId),
          rows.map((r) => r.text),
          rows.map((r) => r.payload),
        ],
        { prepare: true },
      );
      const created = new Set(inserted.map((r) => r.id));
      const out: { id: string; created: boolean }[] = ids.map((id) => ({ id, created: created.has(id) }));
      const rest = ids.flatMap((id, i) => (created.has(id) ? [] : [i]));
      if (rest.length === 0) return out;
      // Duplicates: stored earlier, by another process while the INSERT ran, or earlier in this batch.
      // A new statement sees them all (READ COMMITTED).
      const found = await sql.query<{ channel: string; platformMsgId: string; id: string }>(
        `SELECT d.channel, d."platformMsgId", d.id FROM "InboundDelivery" d
         JOIN unnest($1::text[], $2::text[]) AS k(ch, p) ON d.channel = k.ch AND d."platformMsgId" = k.p`,
        [rest.map((i) => messages[i]?.channel), rest.map((i) => rows[i]?.platformMsgId)],
      );
      const byKey = new Map(found.map((f) => [`${f.channel}\u0000${f.platformMsgId}`, f.id]));
      for (const i of rest) {
        const id = byKey.get(`${messages[i]?.channel}\u0000${rows[i]?.platformMsgId}`);
        if (!id) throw new Error('delivery vanished between insert and select');
        out[i] = { id, created: false };
      }
      return out;
    },
    async insert(m: InboundMessage) {
      const [stored] = await store.insertMany([m]);
      if (!stored) throw new Error('delivery insert returned nothing');
      return stored;
    },
    async get(id) {
      const rows = await sql.query<Row>(`SELECT ${COLUMNS} FROM "InboundDelivery" WHERE id = $1`, [id]);
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async findByPlatformId(channel, platformMsgId) {
      const rows = await sql.query<Row>(
        `SELECT ${COLUMNS} FROM "InboundDelivery" WHERE channel = $1 AND "platformMsgId" = $2`,
        [channel, platformMsgId],
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async claim(id) {
      const rows = await sql.query<Row>(
        `UPDATE "InboundDelivery" SET status = 'processing', attempts = attempts + 1
         WHERE id = $1 AND status <> 'done' RETURNING ${COLUMNS}`,
        [id],
        { prepare: true },
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async finish(id, outcome) {
      await sql.query(
        `UPDATE "InboundDelivery" SET status = $2, error = $3, "processedAt" = now() WHERE id = $1`,
        [id, outcome.status, outcome.error ?? null],
        { prepare: true },
      );
    },
    async listStale(olderThanMs, limit) {
      return sql.query(
        `SELECT id, channel, "platformMsgId" FROM "InboundDelivery"
         WHERE status IN ('received', 'processing') AND "receivedAt" < now() - ($1::int * interval '1 millisecond')
         ORDER BY "receivedAt" LIMIT $2`,
        [olderThanMs, limit],
      );
    },
  };
  return store;
}

/**
 * The customer took a message back (WeCom kf user_recall_msg): its words — and the parse, which repeats them —
 * are dropped from the stored delivery, which keeps only that it was recalled. So are they from the customer's
 * tickets: the 问题 line of a ticket that message opened, and the events that quote it (顾客补充：…). Idempotent.
 */
export function createRecallRecorder(sql: Sql) {
  return async (channel: string, platformMsgId: string, userRef: string): Promise<void> => {
    await sql.query(
      `WITH said AS (
         SELECT id, left(text, 100) AS words FROM "InboundDelivery"
         WHERE channel = $1 AND "platformMsgId" = $2 AND "userRef" = $3 AND text <> ''),
       blanked AS (
         UPDATE "InboundDelivery" SET text = '', payload = (payload - 'parse') || '{"recalled": true}'::jsonb
         WHERE channel = $1 AND "platformMsgId" = $2 AND "userRef" = $3),
       quoted AS (
         UPDATE "TicketEvent" e
         SET reason = CASE WHEN e.type = 'note' THEN $4 ELSE replace(e.reason, said.words, $5) END
         FROM said
         WHERE e.data->>'deliveryId' = said.id
           AND e."ticketId" IN (SELECT t.id FROM "Ticket" t JOIN "Identity" i ON i."customerId" = t."customerId"
                                WHERE i.platform = $1 AND i."externalId" = $3)
         RETURNING e."ticketId", e.type)
       UPDATE "Ticket" t SET summary = $5 FROM quoted WHERE quoted.type = 'created' AND t.id = quoted."ticketId"`,
      [channel, platformMsgId, userRef, `顾客补充：${RECALLED}`, RECALLED],
    );
  };
}

/** What stands where the customer's words were, once they took the message back. */
const RECALLED = '（顾客撤回了这条消息）';

/** Keeps the NLU parse beside the delivery (the sandbox shows it; support can see why the bot acted). */
export function createParseRecorder(sql: Sql) {
  return async (deliveryId: string, parse: unknown): Promise<void> => {
    await sql.query(
      `UPDATE "InboundDelivery" SET payload = payload || jsonb_build_object('parse', $2::jsonb) WHERE id = $1`,
      [deliveryId, JSON.stringify(parse)],
    );
  };
}
