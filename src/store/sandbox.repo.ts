import type { Sql } from './db.ts';

export interface SandboxMessage {
  kind: string;
  text: string;
  markdown?: string;
  card?: { title: string; body: string; buttons: { id: string; label: string }[] };
  /** Answers to tap (the page shows them as buttons that send the label). */
  choices?: { head: string; items: { id: string; label: string }[]; tail?: string };
  /** A chart after the text (the managers' reports): its title and a data: URL of the PNG. */
  picture?: { title: string; src: string };
  chatId?: string;
  deliveryId?: string;
  ticketId?: number;
  at: string;
}

interface Row {
  kind: string;
  body:
    | {
        text: string;
        markdown?: string;
        card?: SandboxMessage['card'];
        choices?: SandboxMessage['choices'];
        picture?: { png: string; title: string };
        target?: { chatId?: string };
      }
    | string;
  deliveryId: string | null;
  ticketId: number | null;
  createdAt: Date | string;
}

function toMessage(r: Row): SandboxMessage {
  const body = typeof r.body === 'string' ? (JSON.parse(r.body) as Exclude<Row['body'], string>) : r.body;
  return {
    kind: r.kind,
    text: body.text,
    ...(body.markdown ? { markdown: body.markdown } : {}),
    ...(body.card ? { card: body.card } : {}),
    ...(body.choices ? { choices: body.choices } : {}),
    ...(body.picture
      ? { picture: { title: body.picture.title, src: `data:image/png;base64,${body.picture.png}` } }
      : {}),
    ...(body.target?.chatId ? { chatId: body.target.chatId } : {}),
    ...(r.deliveryId ? { deliveryId: r.deliveryId } : {}),
    ...(r.ticketId !== null ? { ticketId: r.ticketId } : {}),
    at: new Date(r.createdAt).toISOString(),
  };
}

/** Reads for the sandbox: what the bot answered to a delivery, and what a simulated user received. */
export function createSandboxReader(sql: Sql) {
  return {
    async deliveryState(deliveryId: string): Promise<{ status: string; parse?: unknown } | undefined> {
      const rows = await sql.query<{ status: string; payload: unknown }>(
        `SELECT status, payload FROM "InboundDelivery" WHERE id = $1`,
        [deliveryId],
      );
      const row = rows[0];
      if (!row) return undefined;
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { parse?: unknown };
      return { status: row.status, ...(payload?.parse ? { parse: payload.parse } : {}) };
    },
    async repliesTo(deliveryId: string): Promise<SandboxMessage[]> {
      const rows = await sql.query<Row>(
        `SELECT kind, body, "deliveryId", "ticketId", "createdAt" FROM "OutboundMessage"
         WHERE "deliveryId" = $1 AND kind = 'reply' ORDER BY "createdAt", "dedupeKey"`,
        [deliveryId],
      );
      return rows.map(toMessage);
    },
    async inbox(opts: { user?: string; chat?: string; limit: number }): Promise<SandboxMessage[]> {
      const targets = [opts.user ? `user:${opts.user}` : null, opts.chat ? `chat:${opts.chat}` : null].filter(Boolean);
      const rows = await sql.query<Row>(
        `SELECT kind, body, "deliveryId", "ticketId", "createdAt" FROM "OutboundMessage"
         WHERE channel = 'sandbox' AND target = ANY($1::text[]) AND status IN ('sent', 'merged')
         ORDER BY "createdAt" DESC LIMIT $2`,
        [targets, opts.limit],
      );
      return rows.map(toMessage).reverse();
    },
  };
}

export type SandboxReader = ReturnType<typeof createSandboxReader>;
