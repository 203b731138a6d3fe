import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from './db.ts';
import { ts } from './sql-time.ts';

export type TicketRow = Prisma.TicketGetPayload<{ include: { customer: true; order: true } }>;

/** Ticket persistence; the openKey unique index is what makes "one open ticket per problem" hold under races. */
export function createTicketRepo(prisma: PrismaClient) {
  const include = { customer: true, order: true } as const;
  return {
    byId: (id: number) => prisma.ticket.findUnique({ where: { id }, include }),
    byOpenKey: (openKey: string) => prisma.ticket.findUnique({ where: { openKey }, include }),
    /** Creates the ticket unless another worker just did; then returns theirs with `created: false`. */
    async create(data: Prisma.TicketUncheckedCreateInput): Promise<{ ticket: TicketRow; created: boolean }> {
      try {
        return { ticket: await prisma.ticket.create({ data, include }), created: true };
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002' || !data.openKey) throw err;
        const existing = await prisma.ticket.findUnique({ where: { openKey: data.openKey }, include });
        if (!existing) throw err;
        return { ticket: existing, created: false };
      }
    },
    update: (id: number, data: Prisma.TicketUncheckedUpdateInput) =>
      prisma.ticket.update({ where: { id }, data, include }),
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
      return ticketId === undefined ? null : prisma.ticket.findUnique({ where: { id: ticketId }, include });
    },
    /** The customer's newest other open ticket on the same order (or on no order), if any. */
    async otherOpenForOrder(customerId: string, orderId: string | null, excludeId?: number) {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        SELECT id FROM "Ticket"
        WHERE "customerId" = ${customerId} AND "orderId" IS NOT DISTINCT FROM ${orderId}::text
          AND "openKey" IS NOT NULL AND id <> ${excludeId ?? -1}
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
        include,
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
