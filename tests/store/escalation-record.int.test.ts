import { afterAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/lib/db-errors.ts';
import { createTicketRepo } from '../../src/store/tickets.repo.ts';
import { freshPgDatabase, freshPgliteDatabase } from '../support/db.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {});
});

describe.each(['postgres', 'pglite'] as const)('an escalation level recorded twice on %s', (kind) => {
  it('is recorded once: the second attempt answers false instead of failing the message', async () => {
    const { db, cleanup } = kind === 'postgres' ? await freshPgDatabase() : await freshPgliteDatabase();
    cleanups.push(cleanup);
    const customer = await db.prisma.customer.create({ data: { name: '顾客' } });
    const ticket = await db.prisma.ticket.create({
      data: { customerId: customer.id, problem: 'damaged', priority: 'P1', channel: 'sandbox', summary: '杯子碎了' },
    });
    const repo = createTicketRepo(db.prisma, db.sql);
    const e = { ticketId: ticket.id, level: 3, cause: 'complaint', recipients: [], nextAt: null };
    expect(await repo.recordEscalation(e)).toBe(true);
    expect(await repo.recordEscalation(e)).toBe(false);
    expect(await db.prisma.escalation.count({ where: { ticketId: ticket.id } })).toBe(1);
    // Any other failure still fails (here a ticket that does not exist: a foreign-key violation).
    const other = await db.prisma.escalation.create({ data: { ...e, ticketId: 999_999 } }).catch((err: unknown) => err);
    expect(other).toBeInstanceOf(Error);
    expect(isUniqueViolation(other)).toBe(false);
    await expect(repo.recordEscalation({ ...e, ticketId: 999_999 })).rejects.toThrow();
  });
});
