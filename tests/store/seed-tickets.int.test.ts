import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { seedAndLoadTicketConfig } from '../../src/store/seed-tickets.ts';
import { freshPgDatabase } from '../support/db.ts';

describe('ticket configuration seeding (PostgreSQL)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
  });
  afterAll(async () => cleanup());

  const holidays = async () => {
    const cal = await db.prisma.businessCalendar.findUniqueOrThrow({ where: { id: 'cn-mainland' } });
    return (cal.overrides as { holidays: string[] }).holidays;
  };

  it('keeps a calendar edited in the database across restarts; a higher file revision replaces it', async () => {
    await seedAndLoadTicketConfig(db.prisma);
    const shipped = await holidays();
    expect(shipped).toContain('2026-10-01');

    // An admin adds a company holiday (what PUT /api/admin/calendars/:id stores).
    const cal = await db.prisma.businessCalendar.findUniqueOrThrow({ where: { id: 'cn-mainland' } });
    const edited = { ...(cal.overrides as Record<string, unknown>), holidays: [...shipped, '2026-12-24'] };
    await db.prisma.businessCalendar.update({ where: { id: 'cn-mainland' }, data: { overrides: edited } });

    const config = await seedAndLoadTicketConfig(db.prisma); // a restart
    expect(await holidays()).toContain('2026-12-24');
    expect(config.calendars.get('cn-mainland')?.holidays.has('2026-12-24')).toBe(true);

    // The stored row came from an older file revision: the shipped file wins again.
    await db.prisma.businessCalendar.update({ where: { id: 'cn-mainland' }, data: { revision: 0 } });
    await seedAndLoadTicketConfig(db.prisma);
    expect(await holidays()).toEqual(shipped);
    expect((await db.prisma.businessCalendar.findUniqueOrThrow({ where: { id: 'cn-mainland' } })).revision).toBe(1);
  });
});
