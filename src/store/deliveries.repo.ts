import { randomUUID } from 'node:crypto';
import type { DeliveryStore, StoredDelivery } from '../app/ports.ts';
import type { ChannelId, InboundMessage } from '../channels/channel.ts';
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
    status: r.status,
    attempts: Number(r.attempts),
    receivedAt: new Date(r.receivedAt),
  };
}

const COLUMNS = `id, channel, "platformMsgId", "userRef", role, "chatId", text, payload, status, attempts, "receivedAt"`;

/**
 * Deliveries on the hot path in plain SQL (one statement each), because the ORM costs ~2 ms of CPU
 * per write (shared/docs/stack.md). The unique (channel, platformMsgId) index is the dedupe.
 */
export function createDeliveryStore(sql: Sql): DeliveryStore {
  return {
    async insert(m: InboundMessage) {
      const payload = JSON.stringify({
        displayName: m.displayName,
        replyContext: m.replyContext,
        sentAt: m.sentAt?.toISOString(),
      });
      const rows = await sql.query<{ id: string }>(
        `INSERT INTO "InboundDelivery" (id, channel, "platformMsgId", "userRef", role, "chatId", text, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         ON CONFLICT (channel, "platformMsgId") DO NOTHING RETURNING id`,
        [randomUUID(), m.channel, m.platformMsgId, m.userRef, m.role, m.chatId ?? null, m.text, payload],
        { prepare: true },
      );
      if (rows[0]) return { id: rows[0].id, created: true };
      const existing = await sql.query<{ id: string }>(
        `SELECT id FROM "InboundDelivery" WHERE channel = $1 AND "platformMsgId" = $2`,
        [m.channel, m.platformMsgId],
      );
      if (!existing[0]) throw new Error('delivery vanished between insert and select');
      return { id: existing[0].id, created: false };
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
}

/** Keeps the NLU parse beside the delivery (the sandbox shows it; support can see why the bot acted). */
export function createParseRecorder(sql: Sql) {
  return async (deliveryId: string, parse: unknown): Promise<void> => {
    await sql.query(
      `UPDATE "InboundDelivery" SET payload = payload || jsonb_build_object('parse', $2::jsonb) WHERE id = $1`,
      [deliveryId, JSON.stringify(parse)],
    );
  };
}
