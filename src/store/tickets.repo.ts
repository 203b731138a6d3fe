import type { RatingLevel } from '../domain/tickets/rating.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { isUniqueViolation } from '../lib/db-errors.ts';
import type { PrismaClient, Sql } from './db.ts';
import { identityTargets } from './directory.repo.ts';
import { PLATFORM } from './identities.repo.ts';
import { outboxTarget } from './outbox.repo.ts';
import { sortableId } from './sortable-id.ts';
import { toDate, toJson, ts } from './sql-time.ts';

export type TicketRow = Prisma.TicketGetPayload<{ include: { customer: true; order: true } }>;
type PushTargets = ReturnType<typeof identityTargets>;

/**
 * The hot path (every customer message about a problem, every staff command) runs on the plain driver
 * (`Sql`: pg or PGlite), not through Prisma: with the ORM's client engine, a raw query cost ~0.8–1 ms of
 * CPU against ~0.35 ms on the driver, measured on the intake query (bench/README.md). Rows come back as
 * JSON (`row_to_json`), whose zone-less timestamps are UTC wall time, as Prisma stores them.
 */
const SELECT_TICKET = `row_to_json(t) AS ticket, row_to_json(c) AS customer,
  CASE WHEN o.id IS NULL THEN NULL ELSE row_to_json(o) END AS "order"`;
const JOIN_RELATIONS = `JOIN "Customer" c ON c.id = t."customerId" LEFT JOIN "Order" o ON o.id = t."orderId"`;
const TICKET_DATES = [
  'firstResponseDueAt',
  'nextUpdateDueAt',
  'resolveDueAt',
  'pausedAt',
  'firstRespondedAt',
  'resolvedAt',
  'closedAt',
  'lastCustomerMessageAt',
  'createdAt',
  'updatedAt',
];
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

interface JsonTicketRow {
  ticket: unknown;
  customer: unknown;
  order: unknown;
}

/** JSON renders timestamps as zone-less text (UTC wall time, as Prisma stores them): back to Dates. */
function withDates<T>(v: unknown, keys: readonly string[]): T {
  const o = toJson<Record<string, unknown>>(v, {});
  for (const k of keys) if (o[k] !== null && o[k] !== undefined) o[k] = toDate(o[k]);
  return o as T;
}

function ticketRow(r: JsonTicketRow): TicketRow {
  const ticket = withDates<Omit<TicketRow, 'customer' | 'order'>>(r.ticket, TICKET_DATES);
  return {
    ...ticket,
    customer: withDates<TicketRow['customer']>(r.customer, CUSTOMER_DATES),
    order: r.order ? withDates<NonNullable<TicketRow['order']>>(r.order, ORDER_DATES) : null,
  };
}

/** Positional parameters for one statement. */
class Params {
  readonly values: unknown[] = [];
  /** `$n` for a value; dates as UTC wall time, objects as jsonb. */
  add(v: unknown): string {
    if (v instanceof Date) return `${this.push(ts(v))}::timestamp(3)`;
    if (v !== null && typeof v === 'object') return `${this.push(JSON.stringify(v))}::jsonb`;
    return this.push(v);
  }
  private push(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const COUNTERS = new Set(['policyRevision', 'reminderCount', 'reopenCount', 'escalationLevel']);
const JSON_FIELDS = new Set(['priorityReasons', 'flags']);
const isIncrement = (v: unknown): v is { increment: number } =>
  v !== null && typeof v === 'object' && typeof (v as { increment?: unknown }).increment === 'number';
const column = (k: string) => {
  if (!/^[A-Za-z]+$/.test(k)) throw new Error(`unexpected ticket field ${k}`);
  return `"${k}"`;
};

/** Column list and VALUES for a ticket insert; `computed` columns take SQL expressions (e.g. a claimed assignee). */
function insertParts(p: Params, data: Prisma.TicketUncheckedCreateInput, computed: Record<string, string> = {}) {
  const fields = Object.entries(data).filter(([k, v]) => v !== undefined && !(k in computed));
  const names = [...fields.map(([k]) => k), ...Object.keys(computed), 'updatedAt'];
  const values = [...fields.map(([, v]) => p.add(v)), ...Object.values(computed), p.add(new Date())];
  return { columns: names.map(column).join(', '), values: values.join(', ') };
}

/** A staff member's platform identities as returned with a ticket (oldest first, as the directory orders them). */
const ASSIGNEE_IDENTITIES = `(SELECT COALESCE(json_agg(json_build_object('platform', i.platform,
  'externalId', i."externalId") ORDER BY i."createdAt", i.id), '[]'::json)
  FROM "Identity" i WHERE i."staffId" = t."assigneeId") AS "assigneeIdentities"`;

const targetsOf = (v: unknown): PushTargets =>
  identityTargets(toJson<{ platform: string; externalId: string }[]>(v, []));

/** Agents in directory order (createdAt, id) with their position, for round-robin in SQL. */
const AGENTS = `SELECT id, "onDuty", row_number() OVER (ORDER BY "createdAt", id) AS pos
  FROM "Staff" WHERE role = 'agent'`;

export interface NewTicketEvent {
  actor: string;
  channel?: string;
  reason?: string;
  data?: Record<string, unknown>;
}

/** `INSERT INTO "TicketEvent"` of `event` for the ticket(s) in CTE `t`. */
function eventInsert(p: Params, type: string, event: NewTicketEvent, data: string = p.add(event.data ?? {})): string {
  // A time-ordered id: two events of the same millisecond ("确认了升级提醒", then 受理) keep their order.
  return `INSERT INTO "TicketEvent" (id, "ticketId", type, actor, channel, reason, data, at)
    SELECT ${p.add(sortableId('e'))}, t.id, ${p.add(type)}, ${p.add(event.actor)}, ${p.add(event.channel ?? null)}::text,
      ${p.add(event.reason ?? null)}::text, ${data}, ${p.add(new Date())} FROM t`;
}

/**
 * Tickets first answered in [since, until], and the median minutes from opening to that answer (undefined when
 * none was): 今日概况 and the health report read the same number.
 */
export async function firstResponses(sql: Sql, since: Date, until: Date) {
  const [row] = await sql.query<{ median_min: number | null; n: number }>(
    `SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "firstRespondedAt" - "createdAt") / 60))::float8
              AS median_min, count(*)::int AS n
     FROM "Ticket" WHERE "firstRespondedAt" >= $1::timestamp(3) AND "firstRespondedAt" <= $2::timestamp(3)`,
    [ts(since), ts(until)],
  );
  const n = row?.n ?? 0;
  return { responded: n, ...(n > 0 && row?.median_min != null ? { medianMins: Number(row.median_min) } : {}) };
}

/** Open, unpaused tickets past their first-response or resolution deadline at `now`. */
const overdueAt = (now: Date) => ({
  status: { notIn: ['resolved', 'closed', 'waiting_customer'] },
  OR: [{ firstRespondedAt: null, firstResponseDueAt: { lt: now } }, { resolveDueAt: { lt: now } }],
});

/** Ticket persistence; the openKey unique index is what makes "one open ticket per problem" hold under races. */
export function createTicketRepo(prisma: PrismaClient, sql: Sql) {
  const include = { customer: true, order: true } as const;
  /** The first ticket matching `where` (in `orderBy` order) with its customer and order, in one statement. */
  async function oneTicket(where: string, params: unknown[], orderBy = ''): Promise<TicketRow | null> {
    const rows = await sql.query<JsonTicketRow>(
      `SELECT ${SELECT_TICKET} FROM "Ticket" t ${JOIN_RELATIONS} WHERE ${where} ${orderBy} LIMIT 1`,
      params,
      { prepare: true },
    );
    return rows[0] ? ticketRow(rows[0]) : null;
  }
  const byOpenKey = (openKey: string) => oneTicket('t."openKey" = $1', [openKey]);
  return {
    byId: (id: number) => oneTicket('t.id = $1', [id]),
    byOpenKey,
    /** The customer's newest ticket in 等待客户 (waiting_customer). */
    waitingOnCustomer: (customerId: string) =>
      oneTicket(
        `t."customerId" = $1 AND t.status = 'waiting_customer'`,
        [customerId],
        'ORDER BY t."pausedAt" DESC NULLS LAST',
      ),
    /** The customer's latest ticket resolved since `since` (the one a bare "满意" rates). */
    latestResolved: (customerId: string, since: Date) =>
      oneTicket(
        `t."customerId" = $1 AND t.status IN ('resolved', 'closed') AND t."resolvedAt" >= $2::timestamp(3)`,
        [customerId, ts(since)],
        'ORDER BY t."resolvedAt" DESC',
      ),
    /** The level of the ticket's latest rating, if it has one. */
    async latestRating(ticketId: number): Promise<RatingLevel | undefined> {
      const rows = await sql.query<{ level: RatingLevel }>(
        `SELECT data->>'level' AS level FROM "TicketEvent" WHERE "ticketId" = $1 AND type = 'rating'
         ORDER BY at DESC LIMIT 1`,
        [ticketId],
      );
      return rows[0]?.level;
    },
    /** The customer's unresolved ticket they last wrote about, whatever its problem. */
    latestOpen: (customerId: string) =>
      oneTicket(
        `t."customerId" = $1 AND t."openKey" IS NOT NULL AND t.status <> 'resolved'`,
        [customerId],
        'ORDER BY t."lastCustomerMessageAt" DESC NULLS LAST, t."createdAt" DESC',
      ),
    /** The customer's newest open ticket (it holds an open key) for `problem`, on any order. */
    openForProblem: (customerId: string, problem: string) =>
      oneTicket(
        `t."customerId" = $1 AND t.problem = $2 AND t."openKey" IS NOT NULL`,
        [customerId, problem],
        'ORDER BY t."createdAt" DESC',
      ),
    /**
     * What a customer message about a problem needs to know first, in one statement: the ticket this
     * delivery already changed (a redelivery), the open ticket for its key, and the customer's newest
     * open ticket on the same order (to link a new one to).
     */
    async intake(q: { deliveryId: string; openKey: string; customerId: string; orderId: string | null }): Promise<{
      replayed: TicketRow | null;
      /** The type of the first event this delivery wrote (`created`, `reminder`, ...), with `replayed`. */
      replayedEvent: string | null;
      open: TicketRow | null;
      linkedId: number | null;
    }> {
      const rows = await sql.query<
        JsonTicketRow & { replayedId: number | null; replayedEvent: string | null; linkedId: number | null }
      >(
        `WITH first_event AS (SELECT "ticketId", type FROM "TicketEvent" WHERE data->>'deliveryId' = $1
            ORDER BY at LIMIT 1),
          base AS (SELECT
          (SELECT "ticketId" FROM first_event) AS "replayedId",
          (SELECT type FROM first_event) AS "replayedEvent",
          (SELECT id FROM "Ticket" WHERE "customerId" = $3 AND "orderId" = $4::text
            AND "openKey" IS NOT NULL ORDER BY "createdAt" DESC LIMIT 1) AS "linkedId")
        SELECT base."replayedId", base."replayedEvent", base."linkedId", x.* FROM base LEFT JOIN LATERAL (
          SELECT ${SELECT_TICKET} FROM "Ticket" t ${JOIN_RELATIONS} WHERE t.id = base."replayedId"
          UNION ALL
          SELECT ${SELECT_TICKET} FROM "Ticket" t ${JOIN_RELATIONS}
          WHERE t."openKey" = $2 AND t.id IS DISTINCT FROM base."replayedId") x ON true`,
        [q.deliveryId, q.openKey, q.customerId, q.orderId],
        { prepare: true },
      );
      const first = rows[0];
      const tickets = rows.filter((r) => r.ticket !== null).map(ticketRow);
      const replayedId = first?.replayedId ?? null;
      return {
        replayed: replayedId === null ? null : (tickets.find((t) => t.id === replayedId) ?? null),
        replayedEvent: first?.replayedEvent ?? null,
        open: tickets.find((t) => t.openKey === q.openKey) ?? null,
        linkedId: first?.linkedId ?? null,
      };
    },
    /**
     * Opens a ticket with its `created` event in one statement. With `roundRobinTeam`, the assignee is
     * the team's next on-duty agent (lifecycle.nextAssignee's rule: after the team's last assignee in
     * directory order, wrapping round), claimed on the team row in the same statement, so tickets opened
     * at the same moment take turns. Returns where the assignee's push goes (their identities), or
     * `created: false` with the ticket another worker just opened under the same key.
     */
    async open(
      data: Prisma.TicketUncheckedCreateInput,
      event: NewTicketEvent,
      opts: { roundRobinTeam?: string } = {},
    ): Promise<{ ticket: TicketRow; created: boolean; assigneeTargets: PushTargets }> {
      const p = new Params();
      const team = opts.roundRobinTeam;
      // `first_on_duty`: the first agent on duty — where the rotation wraps round to, and the pick without a team row.
      const claim = team
        ? `agents AS (${AGENTS}),
          first_on_duty AS (SELECT id FROM agents WHERE "onDuty" ORDER BY pos LIMIT 1),
          claim AS (
            UPDATE "Team" tm SET "lastAssignedStaffId" = COALESCE(
              (SELECT a.id FROM agents a WHERE a."onDuty" AND a.pos > COALESCE(
                (SELECT b.pos FROM agents b WHERE b.id = tm."lastAssignedStaffId"), 0) ORDER BY a.pos LIMIT 1),
              (SELECT id FROM first_on_duty))
            WHERE tm.id = ${p.add(team)} AND EXISTS (SELECT 1 FROM first_on_duty)
            RETURNING tm."lastAssignedStaffId" AS id),
          pick AS (SELECT COALESCE((SELECT id FROM claim), (SELECT id FROM first_on_duty)) AS id),`
        : '';
      const { columns, values } = insertParts(p, data, team ? { assigneeId: '(SELECT id FROM pick)' } : {});
      const eventData = `${p.add(event.data ?? {})} || jsonb_build_object('assigneeId', t."assigneeId")`;
      const rows = await sql.query<JsonTicketRow & { assigneeIdentities: unknown }>(
        `WITH ${claim}
          t AS (INSERT INTO "Ticket" (${columns}) VALUES (${values}) ON CONFLICT ("openKey") DO NOTHING RETURNING *),
          ev AS (${eventInsert(p, 'created', event, eventData)})
        SELECT ${SELECT_TICKET}, ${ASSIGNEE_IDENTITIES} FROM t ${JOIN_RELATIONS}`,
        p.values,
        { prepare: true },
      );
      const row = rows[0];
      if (row) return { ticket: ticketRow(row), created: true, assigneeTargets: targetsOf(row.assigneeIdentities) };
      const existing = data.openKey ? await byOpenKey(data.openKey) : null;
      if (!existing) throw new Error('ticket insert returned nothing and no open ticket has its key');
      return { ticket: existing, created: false, assigneeTargets: [] };
    },
    /**
     * Updates and returns the ticket with its relations, in one statement (plain values and `{ increment }`
     * on counters); with `event`, the ticket event of the change is written by the same statement; with
     * `assigneeTargets`, where the assignee's pushes go comes back with it.
     */
    async update(
      id: number,
      data: Prisma.TicketUncheckedUpdateInput,
      event?: NewTicketEvent & { type: string },
      opts: { assigneeTargets?: boolean } = {},
    ): Promise<TicketRow & { assigneeTargets?: PushTargets }> {
      const p = new Params();
      const sets = Object.entries(data)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => {
          const col = column(k);
          if (COUNTERS.has(k) && isIncrement(v)) return `${col} = t.${col} + ${p.add(v.increment)}::int`;
          if (v !== null && typeof v === 'object' && !(v instanceof Date) && !JSON_FIELDS.has(k))
            throw new Error(`unsupported update of ticket field ${k}`);
          return `${col} = ${p.add(v)}`;
        });
      sets.push(`"updatedAt" = ${p.add(new Date())}`);
      const where = p.add(id);
      const ev = event ? `, ev AS (${eventInsert(p, event.type, event)})` : '';
      const rows = await sql.query<JsonTicketRow & { assigneeIdentities?: unknown }>(
        `WITH t AS (UPDATE "Ticket" AS t SET ${sets.join(', ')} WHERE t.id = ${where} RETURNING t.*)${ev}
        SELECT ${SELECT_TICKET}${opts.assigneeTargets ? `, ${ASSIGNEE_IDENTITIES}` : ''} FROM t ${JOIN_RELATIONS}`,
        p.values,
        { prepare: true },
      );
      const row = rows[0];
      if (!row) throw new Error(`ticket #${id} does not exist`);
      if (!opts.assigneeTargets) return ticketRow(row);
      return { ...ticketRow(row), assigneeTargets: targetsOf(row.assigneeIdentities) };
    },
    async addEvent(e: NewTicketEvent & { ticketId: number; type: string }): Promise<void> {
      const p = new Params();
      const ticket = p.add(e.ticketId);
      await sql.query(`WITH t AS (SELECT ${ticket}::int AS id) ${eventInsert(p, e.type, e)}`, p.values, {
        prepare: true,
      });
    },
    /** Whether this delivery already changed this ticket (a retried job must not count twice). */
    // Uses the expression index on data->>'deliveryId' (migration 20261123200000).
    async handled(ticketId: number, deliveryId: string): Promise<boolean> {
      const rows = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "TicketEvent" WHERE data->>'deliveryId' = $1 AND "ticketId" = $2`,
        [deliveryId, ticketId],
        { prepare: true },
      );
      return (rows[0]?.n ?? 0) > 0;
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
    /** Resolved tickets resolved before `cutoff`, oldest first (for the automatic close). */
    resolvedBefore: (cutoff: Date, limit: number) =>
      prisma.ticket.findMany({
        where: { status: 'resolved', resolvedAt: { lt: cutoff } },
        orderBy: [{ resolvedAt: 'asc' }, { id: 'asc' }],
        take: limit,
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
    /** Sets the customer's tier (normal | vip); their name, for the answer. */
    async setCustomerTier(customerId: string, tier: 'normal' | 'vip'): Promise<{ name: string | null }> {
      return prisma.customer.update({ where: { id: customerId }, data: { tier }, select: { name: true } });
    },
    /** Where to reach a ticket's customer: their first platform identity. */
    async customerContact(customerId: string): Promise<{ userRef: string } | undefined> {
      const who = await prisma.identity.findFirst({ where: { customerId }, orderBy: { createdAt: 'asc' } });
      return who ? { userRef: who.externalId } : undefined;
    },
    /**
     * The ticket the bot last named ("工单 #12 …", "【P1·第1级升级】工单 #12") in what it sent to `target` (a group
     * or a person on `channel`) since `since`: what "这单" means to whoever reads that chat.
     */
    async lastNamedIn(
      channel: string,
      to: { chatId?: string; userRef?: string },
      since: Date,
      /** Texts that name tickets only as examples (the command list's "工单 #123"). */
      except: string,
    ): Promise<number | undefined> {
      const target = outboxTarget(to);
      const rows = await sql.query<{ id: string | null }>(
        `SELECT coalesce(o."ticketId"::text, substring(o.body->>'text' from '#([0-9]{1,9})')) AS id
         FROM "OutboundMessage" o
         WHERE o.channel = $1 AND o.target = $2 AND o."createdAt" >= $3::timestamp(3)
           AND (o."ticketId" IS NOT NULL OR o.body->>'text' ~ '#[0-9]') AND o.body->>'text' <> $4
         ORDER BY o."createdAt" DESC LIMIT 1`,
        [channel, target, ts(since), except],
      );
      const id = Number(rows[0]?.id);
      return Number.isSafeInteger(id) && id > 0 ? id : undefined;
    },
    /**
     * The customer's side of the conversation since `since` and the bot's replies to it, oldest first, at
     * most `n` lines: what a colleague reads before answering a ticket.
     */
    async conversation(customerId: string, since: Date, n: number) {
      const rows = await sql.query<{ at: Date; who: 'customer' | 'bot'; text: string; recalled: boolean }>(
        `WITH mine AS (
           SELECT d.id, d.text, d."receivedAt", coalesce((d.payload->>'recalled')::boolean, false) AS recalled
           FROM "InboundDelivery" d
           JOIN unnest($4::text[], $5::text[]) AS cp(channel, platform) ON cp.channel = d.channel
           JOIN "Identity" i ON i."customerId" = $1 AND i."externalId" = d."userRef" AND i.platform = cp.platform
           WHERE d.role = 'customer' AND d."receivedAt" >= $2::timestamp(3)
           ORDER BY d."receivedAt" DESC LIMIT $3)
         SELECT * FROM (
           SELECT "receivedAt" AS at, 'customer' AS who, text, recalled, 0 AS k FROM mine
           UNION ALL
           SELECT o."createdAt", 'bot', o.body->>'text', false, 1 FROM "OutboundMessage" o JOIN mine ON o."deliveryId" = mine.id
           WHERE o.kind = 'reply') x
         ORDER BY at DESC, k DESC LIMIT $3`,
        [customerId, ts(since), n, Object.keys(PLATFORM), Object.values(PLATFORM)],
      );
      return rows.reverse();
    },
    /**
     * 微信客服 customers with tickets not yet resolved or closed, and those tickets (oldest first): the people
     * whose 48 h window is worth keeping open. A customer whose messages a 接待人员 rejected (拒收) is left out.
     */
    async kfCustomersWithOpenTickets(): Promise<
      { userRef: string; tickets: { id: number; problem: string; status: string }[] }[]
    > {
      const rows = await sql.query<{ userRef: string; id: number; problem: string; status: string }>(
        `SELECT i."externalId" AS "userRef", t.id, t.problem, t.status FROM "Ticket" t
         JOIN "Identity" i ON i."customerId" = t."customerId" AND i.platform = $1
         WHERE t.status NOT IN ('resolved', 'closed') AND i."rejectedAt" IS NULL
         ORDER BY i."externalId", t.id`,
        [PLATFORM.wecom_kf],
      );
      const byUser = new Map<string, { id: number; problem: string; status: string }[]>();
      for (const { userRef, ...t } of rows) byUser.set(userRef, [...(byUser.get(userRef) ?? []), t]);
      return [...byUser].map(([userRef, tickets]) => ({ userRef, tickets }));
    },
    /** The latest `n` events of a ticket, oldest first. */
    recentEvents: async (ticketId: number, n: number) =>
      (
        await prisma.ticketEvent.findMany({ where: { ticketId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: n })
      ).reverse(),
    /** The customer's tickets not yet resolved or closed, newest first. */
    openOfCustomer: async (customerId: string, n: number): Promise<TicketRow[]> =>
      prisma.ticket.findMany({
        where: { customerId, status: { notIn: ['resolved', 'closed'] } },
        include: { customer: true, order: true },
        orderBy: { createdAt: 'desc' },
        take: n,
      }),
    /**
     * Unresolved tickets, most urgent first, then by how soon they must be answered; `only` narrows them to some
     * priorities (加急工单: P1, P2) or to those nobody owns (未分配).
     */
    openList: (n: number, only: { priorities?: readonly string[]; unassigned?: boolean } = {}) =>
      prisma.ticket.findMany({
        where: {
          status: { notIn: ['resolved', 'closed'] },
          ...(only.priorities ? { priority: { in: [...only.priorities] } } : {}),
          ...(only.unassigned ? { assigneeId: null } : {}),
        },
        include: { assignee: { select: { name: true } } },
        orderBy: [{ priority: 'asc' }, { firstResponseDueAt: 'asc' }, { id: 'asc' }],
        take: n,
      }),
    /** Open, unpaused tickets past their first-response or resolution deadline, most urgent first. */
    overdue: (now: Date, n: number) =>
      prisma.ticket.findMany({
        where: overdueAt(now),
        include: { assignee: { select: { name: true } } },
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
        take: n,
      }),
    /**
     * Customer ratings since `since`, the latest per ticket, newest first (with the ticket's problem and
     * owner), and how many tickets were resolved in that time.
     */
    async ratingsSince(since: Date) {
      const [rated, resolved] = await Promise.all([
        sql.query<{ id: number; problem: string; assignee: string | null; level: RatingLevel }>(
          `SELECT t.id, t.problem, s.name AS assignee, latest.level FROM (
             SELECT DISTINCT ON ("ticketId") "ticketId", data->>'level' AS level, at FROM "TicketEvent"
             WHERE type = 'rating' AND at >= $1::timestamp(3) ORDER BY "ticketId", at DESC) latest
           JOIN "Ticket" t ON t.id = latest."ticketId" LEFT JOIN "Staff" s ON s.id = t."assigneeId"
           ORDER BY latest.at DESC`,
          [ts(since)],
        ),
        sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Ticket" WHERE "resolvedAt" >= $1::timestamp(3)`, [
          ts(since),
        ]),
      ]);
      return { rated, resolved: resolved[0]?.n ?? 0 };
    },
    /**
     * Each ticket-side colleague's work (for 客服绩效 and the dashboard), by the tickets they own now: unfinished
     * and past a deadline at `now`; resolved, first responses (median minutes, how many late) and the latest
     * rating per ticket since `since`. Colleagues with nothing in the window are listed with zeros; tickets
     * nobody owns are one row with a null id.
     */
    async agentStats(since: Date, now: Date, roles: readonly string[]) {
      return sql.query<{
        id: string | null;
        name: string | null;
        role: string | null;
        open: number;
        overdue: number;
        resolved: number;
        responded: number;
        responded_late: number;
        median_first_min: number | null;
        good: number;
        okay: number;
        bad: number;
      }>(
        `WITH rated AS (
           SELECT DISTINCT ON ("ticketId") "ticketId", data->>'level' AS level FROM "TicketEvent"
           WHERE type = 'rating' AND at >= $1::timestamp(3) ORDER BY "ticketId", at DESC),
         work AS (
           SELECT t."assigneeId" AS staff,
             count(*) FILTER (WHERE t.status NOT IN ('resolved', 'closed'))::int AS open,
             count(*) FILTER (WHERE t.status NOT IN ('resolved', 'closed', 'waiting_customer')
               AND ((t."firstRespondedAt" IS NULL AND t."firstResponseDueAt" < $2::timestamp(3))
                 OR t."resolveDueAt" < $2::timestamp(3)))::int AS overdue,
             count(*) FILTER (WHERE t."resolvedAt" >= $1::timestamp(3))::int AS resolved,
             count(*) FILTER (WHERE t."firstRespondedAt" >= $1::timestamp(3))::int AS responded,
             count(*) FILTER (WHERE t."firstRespondedAt" >= $1::timestamp(3)
               AND t."firstRespondedAt" > t."firstResponseDueAt")::int AS responded_late,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t."firstRespondedAt" - t."createdAt") / 60)
               FILTER (WHERE t."firstRespondedAt" >= $1::timestamp(3)))::float8 AS median_first_min,
             count(*) FILTER (WHERE r.level = 'good')::int AS good,
             count(*) FILTER (WHERE r.level = 'okay')::int AS okay,
             count(*) FILTER (WHERE r.level = 'bad')::int AS bad
           FROM "Ticket" t LEFT JOIN rated r ON r."ticketId" = t.id
           WHERE t.status NOT IN ('resolved', 'closed') OR t."resolvedAt" >= $1::timestamp(3)
             OR t."firstRespondedAt" >= $1::timestamp(3) OR r."ticketId" IS NOT NULL
           GROUP BY t."assigneeId")
         SELECT s.id, s.name, s.role, coalesce(w.open, 0) AS open, coalesce(w.overdue, 0) AS overdue,
           coalesce(w.resolved, 0) AS resolved, coalesce(w.responded, 0) AS responded,
           coalesce(w.responded_late, 0) AS responded_late, w.median_first_min,
           coalesce(w.good, 0) AS good, coalesce(w.okay, 0) AS okay, coalesce(w.bad, 0) AS bad
         FROM "Staff" s LEFT JOIN work w ON w.staff = s.id WHERE s.role = ANY($3::text[])
         UNION ALL
         SELECT NULL, NULL, NULL, open, overdue, resolved, responded, responded_late, median_first_min, good, okay, bad
         FROM work WHERE staff IS NULL AND open > 0`,
        [ts(since), ts(now), [...roles]],
      );
    },
    /**
     * The day's work since `since` (for 今日概况): tickets opened (by problem), resolved, first responses with
     * their median time, tickets opened since whose first response came late (or is late by `now`), and the
     * open tickets past a deadline now.
     */
    async daySummary(since: Date, now: Date) {
      const [totals, problems, first, overdueNow] = await Promise.all([
        sql.query<{ resolved: number; first_late: number }>(
          `SELECT
             count(*) FILTER (WHERE "resolvedAt" >= $1::timestamp(3))::int AS resolved,
             count(*) FILTER (WHERE "createdAt" >= $1::timestamp(3)
               AND "firstResponseDueAt" < coalesce("firstRespondedAt", $2::timestamp(3)))::int AS first_late
           FROM "Ticket" WHERE "resolvedAt" >= $1::timestamp(3) OR "createdAt" >= $1::timestamp(3)`,
          [ts(since), ts(now)],
        ),
        sql.query<{ problem: string; n: number }>(
          `SELECT problem, count(*)::int AS n FROM "Ticket" WHERE "createdAt" >= $1::timestamp(3)
           GROUP BY problem ORDER BY n DESC, problem`,
          [ts(since)],
        ),
        firstResponses(sql, since, now),
        prisma.ticket.count({ where: overdueAt(now) }),
      ]);
      const t = totals[0];
      return {
        created: problems.reduce((a, p) => a + p.n, 0),
        byProblem: problems,
        resolved: t?.resolved ?? 0,
        responded: first.responded,
        medianFirstResponseMins: first.medianMins,
        firstResponseLate: t?.first_late ?? 0,
        overdueNow,
      };
    },
    /** Open tickets by priority (for the supervisors' overview). */
    async openByPriority(): Promise<Record<string, number>> {
      const rows = await prisma.ticket.groupBy({
        by: ['priority'],
        where: { status: { notIn: ['resolved', 'closed'] } },
        _count: { _all: true },
      });
      return Object.fromEntries(rows.map((r) => [r.priority, r._count._all]));
    },
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
        if (isUniqueViolation(err)) return false;
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
