import { randomUUID } from 'node:crypto';
import { DONE, type Outbox, type OutboxEntry } from '../app/ports.ts';
import type { ChannelId, OutboundMessage } from '../channels/channel.ts';
import type { Sql } from './db.ts';

/**
 * Every message the bot sends is first recorded under its dedupe key; a retried job finds the row and
 * does not send again. The sandbox inbox reads these rows.
 */
/** How a message's target is kept in the outbox's `target` column: the group, else the person. */
export const outboxTarget = (t: OutboundMessage['target']) =>
  t.chatId ? `chat:${t.chatId}` : `user:${t.userRef ?? ''}`;

export function createOutbox(sql: Sql): Outbox {
  return {
    async record(m: OutboundMessage, meta): Promise<OutboxEntry> {
      const target = outboxTarget(m.target);
      const body = JSON.stringify({
        text: m.text,
        markdown: m.markdown,
        card: m.card,
        choices: m.choices,
        picture: m.picture,
        target: m.target,
      });
      const rows = await sql.query<OutboxEntry>(
        `INSERT INTO "OutboundMessage" (id, "dedupeKey", channel, target, kind, body, "deliveryId", "ticketId")
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
         ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id, status`,
        [randomUUID(), m.dedupeKey, m.channel, target, m.kind, body, meta.deliveryId ?? null, meta.ticketId ?? null],
        { prepare: true },
      );
      if (rows[0]) return rows[0];
      const existing = await sql.query<OutboxEntry>(`SELECT id, status FROM "OutboundMessage" WHERE "dedupeKey" = $1`, [
        m.dedupeKey,
      ]);
      if (!existing[0]) throw new Error('outbox row vanished between insert and select');
      return existing[0];
    },
    async isDone(dedupeKey) {
      const rows = await sql.query<Pick<OutboxEntry, 'status'>>(
        `SELECT status FROM "OutboundMessage" WHERE "dedupeKey" = $1`,
        [dedupeKey],
      );
      return rows[0] !== undefined && DONE.has(rows[0].status);
    },
    async mark(id, result) {
      // Held: kept for the customer's next message (createHeldMessages), whatever became of the staff-group copy.
      const status = result.held
        ? 'held'
        : result.status === 'sent' || result.status === 'rerouted'
          ? 'sent'
          : result.status;
      await sql.query(
        `UPDATE "OutboundMessage" SET status = $2, attempts = attempts + 1, error = $3,
           "sentAt" = CASE WHEN $2 = 'sent' THEN now() ELSE "sentAt" END WHERE id = $1`,
        [id, status, result.error ?? null],
        { prepare: true },
      );
      // An answer that did not reach the customer cannot have carried what was kept for them: it is kept again.
      if (result.status !== 'sent') {
        await sql.query(
          `UPDATE "OutboundMessage" h SET status = 'held', "sentAt" = NULL FROM "OutboundMessage" r
           WHERE r.id = $1 AND r.kind = 'reply' AND h."deliveryId" = r."deliveryId" AND h.status = 'redelivered'
             AND h.id <> r.id`,
          [id],
        );
      }
    },
  };
}

/**
 * Messages kept for a customer who could not be reached (status `held`, see SendResult.held), oldest first:
 * taken to go with the answer to their delivery `deliveryId`. Taking is idempotent per delivery (a retried
 * job gets the same ones again); once taken they are `redelivered` and no other delivery gets them.
 */
export function createHeldMessages(sql: Sql) {
  return async (q: { channel: ChannelId; userRef: string; deliveryId: string }): Promise<string[]> => {
    const rows = await sql.query<{ text: string }>(
      `WITH taken AS (
         UPDATE "OutboundMessage" SET status = 'redelivered', "deliveryId" = $3, "sentAt" = now()
         WHERE channel = $1 AND target = $2 AND "createdAt" > now() - interval '30 days'
           AND (status = 'held' OR (status = 'redelivered' AND "deliveryId" = $3))
         RETURNING body->>'text' AS text, "createdAt")
       SELECT text FROM taken ORDER BY "createdAt"`,
      [q.channel, `user:${q.userRef}`, q.deliveryId],
    );
    return rows.map((r) => r.text);
  };
}

/**
 * A message the platform accepted and later reported undelivered: the latest `sent` row to `userRef` on
 * `channel` (within 3 days) whose dedupe key `owns` the platform's message id. `markFailed` then records
 * it, once: a second report finds the row failed and does nothing.
 */
export function createBounceStore(sql: Sql) {
  return {
    async find(q: { channel: ChannelId; userRef: string; owns: (dedupeKey: string) => boolean }) {
      const rows = await sql.query<{ id: string; dedupeKey: string; kind: OutboundMessage['kind']; body: unknown }>(
        `SELECT id, "dedupeKey", kind, body FROM "OutboundMessage"
         WHERE channel = $1 AND target = $2 AND status = 'sent' AND "createdAt" > now() - interval '3 days'
         ORDER BY "createdAt" DESC LIMIT 500`,
        [q.channel, `user:${q.userRef}`],
      );
      const row = rows.find((r) => q.owns(r.dedupeKey));
      if (!row) return undefined;
      const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as { text?: string };
      return { id: row.id, dedupeKey: row.dedupeKey, kind: row.kind, text: body.text ?? '' };
    },
    async markFailed(id: string, error: string): Promise<void> {
      await sql.query(`UPDATE "OutboundMessage" SET status = 'failed', error = $2 WHERE id = $1 AND status = 'sent'`, [
        id,
        error,
      ]);
    },
  };
}
