import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from './db.ts';
import { toDate, ts } from './sql-time.ts';

export type TicketRow = Prisma.TicketGetPayload<{ include: { customer: true; order: true } }>;

type RawTicketRow = Omit<TicketRow, 'customer' | 'order'> & {
  customer: Record<string, unknown>;
  order: Record<string, unknown> | null;
};

const WITH_RELATIONS = Prisma.sql`row_to_json(c) AS customer, CASE WHEN o.id IS NULL THEN NULL ELSE row_to_json(o) END AS "order"`;
const JOIN_RELATIONS = Prisma.sql`JOIN "Customer" c ON c.id = t."customerId" LEFT JOIN "Order" o ON o.id = t."orderId"`;
const CUSTOMER_DATES = ['createdAt'];
const ORDER_DATES = [
  'paidAt',
  'promisedShipBy',
  'estimatedDeliveryAt',
  'orderedAt',
  'statusAt',
  'lastTrackingAt',
  'createdAt',
  'updatedAt',
];

/** JSON renders timestamps as zone-less text (UTC wall time, as Prisma stores them): back to Dates. */
function withDates<T>(o: Record<string, unknown>, keys: readonly string[]): T {
  for (const k of keys) if (o[k] !== null && o[k] !== undefined) o[k] = toDate(o[k]);
  return o as T;
}

function ticketRow(r: RawTicketRow): TicketRow {
  return {
    ...r,
    customer: withDates<TicketRow['customer']>(r.customer, CUSTOMER_DATES),
    order: r.order ? withDates<NonNullable<TicketRow['order']>>(r.order, ORDER_DATES) : null,
  };
}

const COUNTERS = new Set(['policyRevision', 'reminderCount', 'reopenCount', 'escalationLevel']);
const JSON_FIELDS = new Set(['priorityReasons', 'flags']);
const isIncrement = (v: unknown): v is { increment: number } =>
  v !== null && typeof v === 'object' && typeof (v as { increment?: unknown }).increment === 'number';

/** A value for a Ticket column: dates as UTC wall time, JSON as jsonb. */
function sqlValue(v: unknown): Prisma.Sql {
  if (v instanceof Date) return Prisma.sql`${ts(v)}::timestamp(3)`;
  if (v !== null && typeof v === 'object') return Prisma.sql`${JSON.stringify(v)}::jsonb`;
  return Prisma.sql`${v}`;
}

/** Ticket persistence; the openKey unique index is what makes "one open ticket per problem" hold under races. */
export function createTicketRepo(prisma: PrismaClient) {
  const include = { customer: true, order: true } as const;
  /** One ticket with its customer and order, in one statement. */
  async function oneTicket(where: Prisma.Sql): Promise<TicketRow | null> {
    const rows = await prisma.$queryRaw<RawTicketRow[]>(
      Prisma.sql`SELECT t.*, ${WITH_RELATIONS} FROM "Ticket" t ${JOIN_RELATIONS} WHERE ${where}`,
    );
    return rows[0] ? ticketRow(rows[0]) : null;
  }
  const byOpenKey = (openKey: string) => oneTicket(Prisma.sql`t."openKey" = ${openKey}`);
  return {
    byId: (id: number) => oneTicket(Prisma.sql`t.id = ${id}`),
    // byOpenKey and create run for every customer message about a problem: one raw statement each
    // instead of the ORM's three (ticket, customer, order) and six (a transaction around them).
    byOpenKey,
    /** Creates the ticket unless another worker just did; then returns theirs with `created: false`. */
    async create(data: Prisma.TicketUncheckedCreateInput): Promise<{ ticket: TicketRow; created: boolean }> {
      const fields = Object.entries(data).filter(([, v]) => v !== undefined);
      for (const [k] of fields) if (!/^[A-Za-z]+$/.test(k)) throw new Error(`unexpected ticket field ${k}`);
      const columns = Prisma.join([...fields.map(([k]) => Prisma.raw(`"${k}"`)), Prisma.raw('"updatedAt"')]);
      const values = Prisma.join([...fields.map(([, v]) => sqlValue(v)), sqlValue(new Date())]);
      const rows = await prisma.$queryRaw<RawTicketRow[]>(
        Prisma.sql`WITH t AS (
          INSERT INTO "Ticket" (${columns}) VALUES (${values}) ON CONFLICT ("openKey") DO NOTHING RETURNING *
        ) SELECT t.*, ${WITH_RELATIONS} FROM t ${JOIN_RELATIONS}`,
      );
      if (rows[0]) return { ticket: ticketRow(rows[0]), created: true };
      const existing = data.openKey ? await byOpenKey(data.openKey) : null;
      if (!existing) throw new Error('ticket insert returned nothing and no open ticket has its key');
      return { ticket: existing, created: false };
    },
    /** Updates and returns the ticket with its relations, in one statement (plain values and `{ increment }` on counters). */
    async update(id: number, data: Prisma.TicketUncheckedUpdateInput): Promise<TicketRow> {
      const sets = Object.entries(data)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => {
          if (!/^[A-Za-z]+$/.test(k)) throw new Error(`unexpected ticket field ${k}`);
          const col = Prisma.raw(`"${k}"`);
          if (COUNTERS.has(k) && isIncrement(v)) return Prisma.sql`${col} = t.${col} + ${v.increment}`;
          if (v !== null && typeof v === 'object' && !(v instanceof Date) && !JSON_FIELDS.has(k))
            throw new Error(`unsupported update of ticket field ${k}`);
          return Prisma.sql`${col} = ${sqlValue(v)}`;
        });
      sets.push(Prisma.sql`"updatedAt" = ${sqlValue(new Date())}`);
      const rows = await prisma.$queryRaw<RawTicketRow[]>(
        Prisma.sql`WITH t AS (
          UPDATE "Ticket" AS t SET ${Prisma.join(sets)} WHERE t.id = ${id} RETURNING t.*
        ) SELECT t.*, ${WITH_RELATIONS} FROM t ${JOIN_RELATIONS}`,
      );
      if (!rows[0]) throw new Error(`ticket #${id} does not exist`);
      return ticketRow(rows[0]);
    },
    // Raw SQL on the hot path (every ticket operation writes an event): the ORM's query compiler was
    // over half of the ticket bench's CPU (bench/README.md).
    async addEvent(e: {
      ticketId: number;
      type: string;
      actor: string;
      channel?: string;
      reason?: string;
      data?: Prisma.InputJsonValue;
    }): Promise<void> {
      await prisma.$executeRaw`INSERT INTO "TicketEvent" (id, "ticketId", type, actor, channel, reason, data, at)
        VALUES (${randomUUID()}, ${e.ticketId}, ${e.type}, ${e.actor}, ${e.channel ?? null}::text, ${e.reason ?? null}::text,
          ${JSON.stringify(e.data ?? {})}::jsonb, ${ts(new Date())}::timestamp(3))`;
    },
    /** Whether this delivery already changed this ticket (a retried job must not count twice). */
    // Raw SQL so the expression index on data->>'deliveryId' is used (migration 20261123200000).
    async handled(ticketId: number, deliveryId: string): Promise<boolean> {
      const rows = await prisma.$queryRaw<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM "TicketEvent" WHERE data->>'deliveryId' = ${deliveryId} AND "ticketId" = ${ticketId}`;
      return (rows[0]?.n ?? 0) > 0;
    },
    async byDelivery(deliveryId: string) {
      const rows = await prisma.$queryRaw<
        { ticketId: number }[]
      >`SELECT "ticketId" FROM "TicketEvent" WHERE data->>'deliveryId' = ${deliveryId} ORDER BY at LIMIT 1`;
      const ticketId = rows[0]?.ticketId;
      return ticketId === undefined ? null : oneTicket(Prisma.sql`t.id = ${ticketId}`);
    },
    /** The customer's newest open ticket on the same order (or on no order), if any. */
    async otherOpenForOrder(customerId: string, orderId: string | null) {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        SELECT id FROM "Ticket"
        WHERE "customerId" = ${customerId} AND "orderId" IS NOT DISTINCT FROM ${orderId}::text
          AND "openKey" IS NOT NULL
        ORDER BY "createdAt" DESC LIMIT 1`;
      return rows[0] ?? null;
    },
    recentResolved: (customerId: string, problem: string, orderId: string | null) =>
      prisma.ticket.findFirst({
        where: {
          customerId,
          orderId,
          problem,
          status: { in: ['resolved', 'closed'] },
          updatedAt: { gt: new Date(Date.now() - 7 * 24 * 3600_000) },
        },
        orderBy: { updatedAt: 'desc' },
        include,
      }),
    /** Tickets whose timers must exist (sweep): a page of them in id order, after `afterId`. */
    activePage: (afterId: number, limit: number) =>
      prisma.ticket.findMany({
        where: { id: { gt: afterId }, status: { notIn: ['resolved', 'closed'] } },
        orderBy: { id: 'asc' },
        take: limit,
      }),
    /** The breach events already recorded for these tickets (the sweep must not re-arm them). */
    recordedBreaches: (ticketIds: number[]) =>
      prisma.slaEvent.findMany({
        where: { ticketId: { in: ticketIds }, type: 'breach' },
        select: { ticketId: true, timer: true, dueAt: true },
      }),
    /**
     * Round-robin within a team (the rule of lifecycle.nextAssignee), in one statement: the next on-duty agent after the team's last
     * assignee (in `agents` order, wrapping round) is written and returned. Concurrent callers queue on
     * the team row and each computes from the row its predecessor wrote, so tickets opened at the same
     * moment take turns. Undefined when no agent is on duty; without a team row, the first on duty.
     */
    async claimNextAssignee(teamId: string, agents: readonly { id: string; onDuty: boolean }[]) {
      const all = agents.map((a) => a.id);
      const onDuty = agents.filter((a) => a.onDuty).map((a) => a.id);
      if (onDuty.length === 0) return undefined;
      const rows = await prisma.$queryRaw<{ id: string | null }[]>`
        UPDATE "Team" t SET "lastAssignedStaffId" = COALESCE(
          (SELECT x.a FROM unnest(${all}::text[]) WITH ORDINALITY AS x(a, pos)
            WHERE x.a = ANY(${onDuty}::text[])
              AND x.pos > COALESCE(array_position(${all}::text[], t."lastAssignedStaffId"), 0)
            ORDER BY x.pos LIMIT 1),
          ${onDuty[0]})
        WHERE t.id = ${teamId}
        RETURNING t."lastAssignedStaffId" AS id`;
      return rows[0]?.id ?? onDuty[0];
    },
    /** Where to reach a ticket's customer: their first platform identity. */
    async customerContact(customerId: string): Promise<{ userRef: string } | undefined> {
      const who = await prisma.identity.findFirst({ where: { customerId }, orderBy: { createdAt: 'asc' } });
      return who ? { userRef: who.externalId } : undefined;
    },
    /** The latest `n` events of a ticket, oldest first. */
    recentEvents: (ticketId: number, n: number) =>
      prisma.ticketEvent.findMany({ where: { ticketId }, orderBy: { at: 'asc' }, take: n }),
    /** A staff member's unfinished tickets, most urgent first. */
    openAssignedTo: (staffId: string, n: number) =>
      prisma.ticket.findMany({
        where: { assigneeId: staffId, status: { notIn: ['resolved', 'closed'] } },
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
        take: n,
      }),
    /** Records that `level` was pushed for `cause`; false when it already was (unique per ticket, level, cause). */
    async recordEscalation(e: {
      ticketId: number;
      level: number;
      cause: string;
      recipients: Prisma.InputJsonValue;
      nextAt: Date | null;
    }): Promise<boolean> {
      try {
        await prisma.escalation.create({ data: e });
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') return false;
        throw err;
      }
    },
    escalation: (ticketId: number, level: number, cause: string) =>
      prisma.escalation.findUnique({ where: { ticketId_level_cause: { ticketId, level, cause } } }),
    markEscalationClimbed: (id: string) => prisma.escalation.update({ where: { id }, data: { status: 'climbed' } }),
    /** Acknowledges every pending escalation of a ticket; returns how many there were. */
    async acknowledgeEscalations(ticketId: number, staffId: string, at: Date): Promise<number> {
      const r = await prisma.escalation.updateMany({
        where: { ticketId, status: 'pending' },
        data: { status: 'acked', ackedAt: at, ackedBy: staffId },
      });
      return r.count;
    },
    /** One SLA event per (ticket, timer, type, dueAt): returns false if it was already recorded. */
    async recordSlaEvent(e: {
      ticketId: number;
      timer: string;
      type: string;
      policyRevision: number;
      dueAt: Date;
    }): Promise<boolean> {
      const r = await prisma.slaEvent.createMany({ data: [e], skipDuplicates: true });
      return r.count === 1;
    },
  };
}

export type TicketRepo = ReturnType<typeof createTicketRepo>;
