import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sender, TimerScheduler, TimerSpec } from '../../src/app/ports.ts';
import type { OutboundMessage } from '../../src/channels/channel.ts';
import { timerJobId } from '../../src/jobs/timers.ts';
import type { Parse } from '../../src/nlu/contract.ts';
import type { Database } from '../../src/store/db.ts';
import { createIdentityStore } from '../../src/store/identities.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { freshPgDatabase } from '../support/db.ts';
import { customerDelivery, problemParse, ticketServiceOn } from '../support/tickets.ts';

/**
 * A worker that dies between opening a ticket (committed) and its pushes or timers: the inbound job is
 * retried with the same delivery, which must finish the work — not skip it as "already handled", and not
 * do any of it twice.
 */
describe('a delivery retried after a crash half-way through (PostgreSQL)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let down = false;
  /** Moves the service's clock forward (ms). */
  let shift = 0;
  const sent: OutboundMessage[] = [];
  const queued = new Map<string, TimerSpec>();
  const send: Sender = async (m) => {
    if (down) throw new Error('connection reset (the worker died here)');
    sent.push(m);
    return { status: 'sent' };
  };
  const timers: TimerScheduler = {
    schedule: async (t) => timers.scheduleMany?.([t]),
    scheduleMany: async (list) => {
      if (down) throw new Error('Redis connection lost');
      for (const t of list) queued.set(timerJobId(t), t);
    },
    cancel: async () => {},
    exists: async (t) => queued.has(timerJobId(t)),
    existsMany: async (list) => list.map((t) => queued.has(timerJobId(t))),
  };
  let service: Awaited<ReturnType<typeof ticketServiceOn>>;

  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    await seedSandboxStaff(db.prisma);
    service = await ticketServiceOn(db, timers, { send, now: () => new Date(Date.now() + shift) });
  });
  afterAll(async () => cleanup());

  const handle = async (userRef: string, deliveryId: string, text: string, parse: Parse) =>
    service.onCustomerMessage({
      sender: await createIdentityStore(db.prisma).resolve('sandbox', userRef, 'customer'),
      delivery: customerDelivery(deliveryId, userRef, text),
      parse,
    });
  const outbox = async (ticketId: number) =>
    db.sql.query<{ dedupeKey: string; status: string }>(
      `SELECT "dedupeKey", status FROM "OutboundMessage" WHERE "ticketId" = $1 ORDER BY "createdAt"`,
      [ticketId],
    );
  const ticketOf = async (userRef: string) =>
    (
      await db.sql.query<{ id: number; reminderCount: number }>(
        `SELECT t.id, t."reminderCount" FROM "Ticket" t JOIN "Identity" i ON i."customerId" = t."customerId"
         WHERE i."externalId" = $1`,
        [userRef],
      )
    )[0];

  it('a new ticket: the retry pushes to the assignee and queues the SLA timers, once', async () => {
    down = true;
    await expect(handle('crash-1', 'c1-d1', '杯子裂了', problemParse('damaged'))).rejects.toThrow();
    const t = await ticketOf('crash-1');
    expect(t).toBeDefined();
    expect(queued.size).toBe(0);
    expect(sent).toHaveLength(0);

    down = false;
    const reply = (await handle('crash-1', 'c1-d1', '杯子裂了', problemParse('damaged')))?.text;
    expect(reply).toContain(`工单 #${t?.id}`);
    expect(reply).toContain('已为您登记售后工单');
    const pushes = sent.filter((m) => m.dedupeKey.startsWith(`assigned-${t?.id}-`));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.text).toContain(`新工单 #${t?.id}`);
    const kinds = [...queued.values()].filter((q) => q.ticketId === t?.id).map((q) => q.kind);
    expect(kinds).toContain('first_response');

    // The platform delivers the same message once more: nothing new.
    const before = { sent: sent.length, queued: queued.size };
    await handle('crash-1', 'c1-d1', '杯子裂了', problemParse('damaged'));
    expect({ sent: sent.length, queued: queued.size }).toEqual(before);
    expect((await outbox(t?.id ?? 0)).map((o) => o.status)).toEqual(['sent']);
    const [{ n } = { n: 0 }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Ticket"`);
    expect(n).toBe(1);
  });

  it('a critical ticket: the retry sends the escalation push that the crash stopped, and records the level once', async () => {
    down = true;
    const allergy: Parse = { ...problemParse('safety_issue'), urgency: { level: 'critical', cues: ['过敏'] } };
    await expect(handle('crash-2', 'c2-d1', '用了过敏', allergy)).rejects.toThrow();
    const t = await ticketOf('crash-2');
    down = false;
    await handle('crash-2', 'c2-d1', '用了过敏', allergy);
    await handle('crash-2', 'c2-d1', '用了过敏', allergy);
    const escalationPushes = sent.filter((m) => m.dedupeKey.startsWith(`esc-${t?.id}-critical-l1-`));
    expect(escalationPushes.length).toBeGreaterThan(0);
    expect(new Set(escalationPushes.map((m) => m.dedupeKey)).size).toBe(escalationPushes.length);
    const levels = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Escalation" WHERE "ticketId" = $1`,
      [t?.id],
    );
    const events = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "TicketEvent" WHERE "ticketId" = $1 AND type = 'escalated'`,
      [t?.id],
    );
    expect([levels[0]?.n, events[0]?.n]).toEqual([1, 1]);
    expect([...queued.values()].some((q) => q.ticketId === t?.id && q.kind === 'escalation-critical')).toBe(true);
  });

  it('a climb: a timer run that dies half-way is retried and the next level still gets its push, once', async () => {
    const allergy: Parse = { ...problemParse('safety_issue'), urgency: { level: 'critical', cues: ['过敏'] } };
    await handle('crash-4', 'c4-d1', '宝宝吃了过敏了', allergy);
    const t = await ticketOf('crash-4');
    const climb = [...queued.values()].find((q) => q.ticketId === t?.id && q.kind === 'escalation-critical');
    if (!climb) throw new Error('no climb timer was queued');
    down = true;
    await expect(service.onTimer(climb)).rejects.toThrow();
    down = false;
    await expect(service.onTimer(climb)).resolves.toBe('climbed-to-2');
    await expect(service.onTimer(climb)).resolves.toBe('acknowledged-or-gone');
    const level2 = sent.filter((m) => m.dedupeKey.startsWith(`esc-${t?.id}-critical-l2-`));
    expect(level2.length).toBeGreaterThan(0);
    expect(new Set(level2.map((m) => m.dedupeKey)).size).toBe(level2.length);
    const rows = await db.sql.query<{ level: number; status: string }>(
      `SELECT level, status FROM "Escalation" WHERE "ticketId" = $1 ORDER BY level`,
      [t?.id],
    );
    expect(rows.map((r) => [r.level, r.status])).toEqual([
      [1, 'climbed'],
      [2, 'pending'],
    ]);
  });

  it('a breach: a timer run that dies after recording it is retried and still escalates, once', async () => {
    await handle('crash-5', 'c5-d1', '东西坏了', problemParse('damaged'));
    const t = await ticketOf('crash-5');
    const first = [...queued.values()].find((q) => q.ticketId === t?.id && q.kind === 'first_response');
    if (!first?.thenAt) throw new Error('no first-response timer was queued');
    shift = first.thenAt.getTime() - Date.now() + 60_000; // a minute past the first-response deadline
    try {
      const breach = { ...first, dueAt: first.thenAt };
      down = true;
      await expect(service.onTimer(breach)).rejects.toThrow();
      down = false;
      await expect(service.onTimer(breach)).resolves.toBe('nothing-due'); // recorded by the first run
      await service.onTimer(breach);
    } finally {
      shift = 0;
    }
    const escalations = sent.filter((m) => m.dedupeKey.startsWith(`esc-${t?.id}-sla_breach-l1-`));
    expect(escalations.length).toBeGreaterThan(0);
    expect(new Set(escalations.map((m) => m.dedupeKey)).size).toBe(escalations.length);
    const recorded = await db.sql.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM "TicketEvent" WHERE "ticketId" = $1 AND type IN ('sla_breach', 'escalated')
       GROUP BY type ORDER BY type`,
      [t?.id],
    );
    expect(recorded.map((r) => [r.type, r.n])).toEqual([
      ['escalated', 1],
      ['sla_breach', 1],
    ]);
  });

  it('a reminder: the retry tells the assignee once and does not count the reminder twice', async () => {
    await handle('crash-3', 'c3-d1', '杯子裂了', problemParse('damaged'));
    const t = await ticketOf('crash-3');
    down = true;
    await expect(handle('crash-3', 'c3-d2', '怎么还没人理', problemParse('damaged'))).rejects.toThrow();
    down = false;
    const reply = (await handle('crash-3', 'c3-d2', '怎么还没人理', problemParse('damaged')))?.text;
    await handle('crash-3', 'c3-d2', '怎么还没人理', problemParse('damaged'));
    expect(reply).toContain(`#${t?.id}`);
    const reminders = sent.filter((m) => m.dedupeKey.startsWith(`remind-${t?.id}-c3-d2-`));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('第 1 次催促');
    expect((await ticketOf('crash-3'))?.reminderCount).toBe(1);
  });
});
