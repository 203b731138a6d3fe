import { randomUUID } from 'node:crypto';
import type { Outbox, OutboxEntry } from '../app/ports.ts';
import type { OutboundMessage } from '../channels/channel.ts';
import type { Sql } from './db.ts';

/**
 * Every message the bot sends is first recorded under its dedupe key; a retried job finds the row and
 * does not send again. The sandbox inbox reads these rows.
 */
export function createOutbox(sql: Sql): Outbox {
  return {
    async record(m: OutboundMessage, meta): Promise<OutboxEntry> {
      const target = m.target.chatId ? `chat:${m.target.chatId}` : `user:${m.target.userRef ?? ''}`;
      const body = JSON.stringify({
        text: m.text,
        markdown: m.markdown,
        card: m.card,
        choices: m.choices,
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
    async mark(id, result) {
      const status = result.status === 'sent' || result.status === 'rerouted' ? 'sent' : result.status;
      await sql.query(
        `UPDATE "OutboundMessage" SET status = $2, attempts = attempts + 1, error = $3,
           "sentAt" = CASE WHEN $2 = 'sent' THEN now() ELSE "sentAt" END WHERE id = $1`,
        [id, status, result.error ?? null],
        { prepare: true },
      );
    },
  };
}
