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

const payloadOf = (m: InboundMessage) => ({
  displayName: m.displayName,
  replyContext: m.replyContext,
  sentAt: m.sentAt?.toISOString(),
});

const COLUMNS = `id, channel, "platformMsgId", "userRef", role, "chatId", text, payload, status, attempts, "receivedAt"`;

/**
 * Deliveries on the hot path in plain SQL (one statement each), because the ORM costs ~2 ms of CPU
 * per write (shared/docs/stack.md). The unique (channel, platformMsgId) index is the dedupe.
 */
export function createDeliveryStore(sql: Sql): DeliveryStore {
  return {
    async insertMany(messages) {
      if (messages.length === 0) return [];
      const input = messages.map((m, i) => ({
        i,
        id: randomUUID(),
        ch: m.channel,
        p: m.platformMsgId,
        u: m.userRef,
        r: m.role,
        c: m.chatId ?? null,
        x: m.text,
        pl: payloadOf(m),
      }));
      // Rows inserted by the CTE are invisible to the outer query's scan of the table (one snapshot),
      // so a key repeated within the batch is matched against `ins` itself.
      const rows = await sql.query<{ i: number; id: string; created: boolean }>(
        `WITH input AS (
           SELECT * FROM json_to_recordset($1::json) AS t(i int, id text, ch text, p text, u text, r text, c text, x text, pl jsonb)
         ),
         ins AS (
           INSERT INTO "InboundDelivery" (id, channel, "platformMsgId", "userRef", role, "chatId", text, payload)
           SELECT id, ch, p, u, r, c, x, pl FROM input ORDER BY i
           ON CONFLICT (channel, "platformMsgId") DO NOTHING
           RETURNING id, channel, "platformMsgId"
         )
         SELECT input.i, COALESCE(ins.id, d.id) AS id, COALESCE(ins.id = input.id, false) AS created
         FROM input
         LEFT JOIN ins ON ins.channel = input.ch AND ins."platformMsgId" = input.p
         LEFT JOIN "InboundDelivery" d ON d.channel = input.ch AND d."platformMsgId" = input.p`,
        [JSON.stringify(input)],
      );
      const out: { id: string; created: boolean }[] = new Array(messages.length);
      const late: number[] = [];
      for (const r of rows) {
        if (r.id) out[Number(r.i)] = { id: r.id, created: r.created === true };
        else late.push(Number(r.i));
      }
      if (late.length > 0) {
        // Inserted by another process while this statement ran: committed, but outside this statement's
        // snapshot. A new statement sees it (READ COMMITTED).
        const keys = late.map((i) => ({ i, ch: messages[i]?.channel, p: messages[i]?.platformMsgId }));
        const found = await sql.query<{ i: number; id: string }>(
          `SELECT k.i, d.id FROM json_to_recordset($1::json) AS k(i int, ch text, p text)
           JOIN "InboundDelivery" d ON d.channel = k.ch AND d."platformMsgId" = k.p`,
          [JSON.stringify(keys)],
        );
        for (const f of found) out[Number(f.i)] = { id: f.id, created: false };
        if (late.some((i) => !out[i])) throw new Error('delivery vanished between insert and select');
      }
      return out;
    },
    async insert(m: InboundMessage) {
      const payload = JSON.stringify(payloadOf(m));
      const rows = await sql.query<{ id: string }>(
        `INSERT INTO "InboundDelivery" (id, channel, "platformMsgId", "userRef", role, "chatId", text, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         ON CONFLICT (channel, "platformMsgId") DO NOTHING RETURNING id`,
        [randomUUID(), m.channel, m.platformMsgId, m.userRef, m.role, m.chatId ?? null, m.text, payload],
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
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async finish(id, outcome) {
      await sql.query(`UPDATE "InboundDelivery" SET status = $2, error = $3, "processedAt" = now() WHERE id = $1`, [
        id,
        outcome.status,
        outcome.error ?? null,
      ]);
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
