import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ExportDeps, exportOrders } from '../app/exports.ts';
import type { AuditWriter } from '../app/order-ports.ts';
import { badRequest, CodedError, ErrorCode, forbidden, notFound } from '../domain/errors.ts';
import { ExportFilterSchema } from '../domain/orders/export.ts';
import { CalendarFile } from '../domain/tickets/business-clock.ts';
import { RuleSchema } from '../domain/tickets/rules.ts';
import { SlaPolicySchema } from '../domain/tickets/sla.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from '../store/db.ts';

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw badRequest(r.error.issues.map((i) => `${i.path.join('.') || '请求体'}：${i.message}`).join('；'));
}

/** Throws unless the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function requireBearer(req: FastifyRequest, token: string): void {
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want))
    throw forbidden('管理令牌无效（Authorization: Bearer <ADMIN_TOKEN>）');
}

function authorize(req: FastifyRequest, token: string | undefined): void {
  if (!token) throw new CodedError(ErrorCode.Forbidden, '管理接口未启用：请设置 ADMIN_TOKEN');
  requireBearer(req, token);
}

const TicketQuery = z.object({
  status: z.string().optional(),
  priority: z.enum(['P1', 'P2', 'P3', 'P4']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const Id = z.object({ id: z.string().min(1).max(64) });
const StaffKey = z.object({
  platform: z.enum(['wecom', 'dingtalk', 'sandbox']),
  externalId: z.string().min(1).max(128),
});
const StaffBody = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(['agent', 'supervisor', 'manager', 'warehouse', 'admin']),
  teamId: z.string().max(64).nullable().optional(),
  onDuty: z.boolean().default(true),
});

const ExportQuery = ExportFilterSchema.extend({ request: z.coerce.number().int().positive().optional() });
const AuditQuery = z.object({
  subject: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * Who is calling, as the audit log records them: `X-Admin-Actor` names the person (the token is shared, so this
 * is what they say, not proof), else just "admin".
 */
function actorOf(req: FastifyRequest): string {
  const raw = req.headers['x-admin-actor'];
  if (typeof raw !== 'string') return 'admin';
  let name = raw;
  try {
    name = decodeURIComponent(raw); // a Chinese name comes percent-encoded (header values are Latin-1)
  } catch {
    // not percent-encoding: kept as given
  }
  name = name.trim().slice(0, 32);
  return name ? `admin:${name}` : 'admin';
}

const CustomerKey = z.object({
  platform: z.enum(['wecom_kf', 'dingtalk', 'sandbox']),
  externalId: z.string().min(1).max(128),
});
const CustomerBody = z.strictObject({
  tier: z.enum(['normal', 'vip']),
  name: z.string().min(1).max(64).optional(),
});

/**
 * Token-protected admin API: tickets (read), SLA policies, rules and calendars (read + replace), staff roles and
 * customer tiers, order exports (more than 100 orders need a manager's approval), and the audit log. A change
 * bumps the row's revision; workers reload the configuration within a minute. Every change, ticket view and
 * export is written to the audit log.
 */
export function registerAdminApi(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; token: string | undefined; audit: AuditWriter; exports: ExportDeps },
): void {
  const { prisma } = deps;
  /** One audit row for a change: what was changed and its new revision or fields, never personal data. */
  const audited = async <T>(
    req: FastifyRequest,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
    result: T,
  ) => {
    await deps.audit.write({ actor: actorOf(req), action, subject, detail });
    return result;
  };
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req) => authorize(req, deps.token));

    scope.get('/api/admin/tickets', async (req) => {
      const q = parse(TicketQuery, req.query);
      const tickets = await prisma.ticket.findMany({
        where: { ...(q.status ? { status: q.status } : {}), ...(q.priority ? { priority: q.priority } : {}) },
        orderBy: [{ priority: 'asc' }, { id: 'desc' }],
        take: q.limit,
      });
      return audited(req, 'ticket.list', 'tickets', { count: tickets.length, ...q }, tickets);
    });
    scope.get('/api/admin/tickets/:id', async (req) => {
      const id = Number((req.params as { id: string }).id);
      if (!Number.isInteger(id)) throw badRequest('工单号必须是数字');
      const t = await prisma.ticket.findUnique({
        where: { id },
        include: { events: { orderBy: { at: 'asc' } }, slaEvents: true, escalations: true },
      });
      if (!t) throw notFound(`没有工单 #${id}`);
      return audited(req, 'ticket.view', `ticket:${id}`, {}, t);
    });

    scope.get('/api/admin/sla-policies', async () => prisma.slaPolicy.findMany({ orderBy: { priority: 'asc' } }));
    scope.put('/api/admin/sla-policies/:id', async (req) => {
      const { id } = parse(Id, req.params);
      const body = parse(SlaPolicySchema, { ...(req.body as object), id, revision: 1 });
      const existing = await prisma.slaPolicy.findUnique({ where: { id } });
      const { id: _id, source: _s, ...data } = body;
      const row = { ...data, nextUpdateMins: data.nextUpdateMins ?? null, revision: (existing?.revision ?? 0) + 1 };
      const saved = await prisma.slaPolicy.upsert({ where: { id }, create: { id, ...row }, update: row });
      return audited(req, 'sla_policy.update', `sla_policy:${id}`, { revision: saved.revision, policy: data }, saved);
    });

    scope.get('/api/admin/rules', async () => prisma.rule.findMany({ orderBy: { id: 'asc' } }));
    scope.put('/api/admin/rules/:id', async (req) => {
      const { id } = parse(Id, req.params);
      const rule = parse(RuleSchema, { ...(req.body as object), id });
      const existing = await prisma.rule.findUnique({ where: { id } });
      const data = {
        name: rule.name,
        event: rule.when.event ?? 'ticket_opened',
        conditions: { when: rule.when, any: rule.any ?? null, explain: rule.explain } as Prisma.InputJsonValue,
        actions: rule.actions as Prisma.InputJsonValue,
        enabled: rule.enabled,
        revision: (existing?.revision ?? 0) + 1,
      };
      const saved = await prisma.rule.upsert({ where: { id }, create: { id, ...data }, update: data });
      return audited(
        req,
        'rule.update',
        `rule:${id}`,
        { revision: saved.revision, enabled: rule.enabled, when: rule.when, actions: rule.actions },
        saved,
      );
    });

    scope.get('/api/admin/staff', async () =>
      prisma.staff.findMany({ include: { identities: true }, orderBy: { createdAt: 'asc' } }),
    );
    // Who is staff, supervisor or manager is decided here, never by the platform.
    scope.put('/api/admin/staff/:platform/:externalId', async (req) => {
      const { platform, externalId } = parse(StaffKey, req.params);
      const body = parse(StaffBody, req.body);
      const identity = await prisma.identity.findUnique({ where: { platform_externalId: { platform, externalId } } });
      if (identity?.customerId) throw badRequest('该账号已登记为顾客，不能设为员工');
      // Who gets which role is the change most worth knowing about later: the old role is kept beside the new.
      const before = identity?.staffId ? await prisma.staff.findUnique({ where: { id: identity.staffId } }) : null;
      const saved = identity?.staffId
        ? await prisma.staff.update({ where: { id: identity.staffId }, data: body, include: { identities: true } })
        : await prisma.staff.create({
            data: { ...body, identities: { create: { platform, externalId, kind: 'staff', displayName: body.name } } },
            include: { identities: true },
          });
      const detail = { platform, externalId, role: body.role, ...(before ? { previousRole: before.role } : {}) };
      return audited(req, before ? 'staff.update' : 'staff.create', `staff:${saved.id}`, detail, saved);
    });

    // A customer's tier (VIP from the shop's CRM or membership), by their platform identity; created if new.
    scope.put('/api/admin/customers/:platform/:externalId', async (req) => {
      const { platform, externalId } = parse(CustomerKey, req.params);
      const body = parse(CustomerBody, req.body);
      const identity = await prisma.identity.findUnique({ where: { platform_externalId: { platform, externalId } } });
      if (identity?.staffId) throw badRequest('该账号已登记为员工，不能设为顾客');
      const data = { tier: body.tier, ...(body.name ? { name: body.name } : {}) };
      const saved = identity?.customerId
        ? await prisma.customer.update({ where: { id: identity.customerId }, data })
        : await prisma.customer.create({
            data: {
              ...data,
              identities: { create: { platform, externalId, kind: 'customer', displayName: body.name } },
            },
          });
      return audited(req, 'customer.tier', `customer:${saved.id}`, { platform, tier: body.tier }, saved);
    });

    scope.get('/api/admin/calendars', async () => prisma.businessCalendar.findMany());
    scope.put('/api/admin/calendars/:id', async (req) => {
      const { id } = parse(Id, req.params);
      const cal = parse(CalendarFile, { ...(req.body as object), id });
      const overrides = {
        holidays: cal.holidays,
        workdays: cal.workdays,
        workingWeekdays: cal.workingWeekdays,
        provisional: cal.provisional ?? {},
      } as Prisma.InputJsonValue;
      const saved = await prisma.businessCalendar.upsert({
        where: { id },
        create: { id, name: cal.name, timezone: cal.timezone, hours: cal.hours, overrides },
        update: { name: cal.name, hours: cal.hours, overrides },
      });
      return audited(req, 'calendar.update', `calendar:${id}`, { hours: cal.hours }, saved);
    });

    // Orders as CSV, personal data masked as in chat. More than 100 orders: 202 and an export request the
    // managers approve in chat; then `?request=<id>` downloads it (within 24 h of the approval).
    scope.get('/api/admin/orders/export', async (req, reply) => {
      const { request, ...filter } = parse(ExportQuery, req.query);
      const out = await exportOrders(deps.exports, {
        filter,
        by: actorOf(req),
        ...(request !== undefined ? { requestId: request } : {}),
      });
      if (out.kind === 'pending')
        return reply
          .code(202)
          .send({ request: out.requestId, status: 'pending', count: out.count, message: out.message });
      const name = out.requestId ? `orders-export-${out.requestId}.csv` : 'orders-export.csv';
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-export-count', String(out.count))
        .send(out.csv);
    });

    // Who viewed, changed or exported what (order views from chat, admin changes, exports and approvals).
    scope.get('/api/admin/audit', async (req) => {
      const q = parse(AuditQuery, req.query);
      return prisma.auditLog.findMany({
        where: {
          ...(q.subject ? { subject: q.subject } : {}),
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.action ? { action: q.action } : {}),
        },
        orderBy: { at: 'desc' },
        take: q.limit,
      });
    });
  });
}
