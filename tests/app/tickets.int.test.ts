import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/app/notify.ts';
import type { StoredDelivery, TimerScheduler, TimerSpec } from '../../src/app/ports.ts';
import { fmtTime } from '../../src/app/tickets/context.ts';
import { createTicketService } from '../../src/app/tickets/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Parse } from '../../src/nlu/contract.ts';
import type { Database } from '../../src/store/db.ts';
import { createDirectory } from '../../src/store/directory.repo.ts';
import { createIdentityStore, type Sender } from '../../src/store/identities.repo.ts';
import { createOutbox } from '../../src/store/outbox.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { seedAndLoadTicketConfig } from '../../src/store/seed-tickets.ts';
import { createTicketRepo } from '../../src/store/tickets.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

const log = createLogger({ level: 'silent', secretKeys: [] });

function parse(
  primary: string,
  cues: string[] = [],
  level: Parse['urgency']['level'] = 'normal',
  extra: Partial<Parse> = {},
): Parse {
  return {
    text: '',
    intents: [{ id: primary, score: 0.9 }],
    primary,
    entities: [],
    urgency: { level, cues },
    confidence: 0.9,
    notes: [],
    escalateToManager: false,
    ...extra,
  };
}

describe('tickets, SLA timers and escalation on PostgreSQL (timers fired by hand with a moving clock)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let clock = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
  const scheduled: TimerSpec[] = [];
  const timers: TimerScheduler = {
    schedule: async (t) => void scheduled.push(t),
    cancel: async () => {},
    exists: async (t) =>
      scheduled.some((s) => s.ticketId === t.ticketId && s.kind === t.kind && s.revision === t.revision),
    existsMany: async (list) =>
      list.map((t) =>
        scheduled.some((s) => s.ticketId === t.ticketId && s.kind === t.kind && s.revision === t.revision),
      ),
  };
  let service: ReturnType<typeof createTicketService>;
  let customer: Sender;
  let mgr: Sender;
  let n = 0;
  const delivery = (text: string): StoredDelivery => ({
    id: `d-${++n}`,
    channel: 'sandbox',
    platformMsgId: `m-${n}`,
    userRef: 'cust1',
    role: 'customer',
    text,
    status: 'processing',
    attempts: 1,
    receivedAt: clock,
  });
  /** The customer writes `text` (parsed as `p`); the number of the ticket the reply names. */
  const ticketFor = async (text: string, p: Parse) =>
    Number(
      /#(\d+)/.exec(
        (await service.onCustomerMessage({ sender: customer, delivery: delivery(text), parse: p }))?.text ?? '',
      )?.[1],
    );
  const inbox = async (userRef: string) =>
    (
      await db.sql.query<{ body: { text: string } }>(
        `SELECT body FROM "OutboundMessage" WHERE target = $1 ORDER BY "createdAt"`,
        [`user:${userRef}`],
      )
    ).map((r) => r.body.text);

  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    await seedSandboxStaff(db.prisma);
    const outbox = createOutbox(db.sql);
    const directory = createDirectory(db.prisma, { managers: [{ channel: 'sandbox', chatId: 'managers' }] });
    service = createTicketService({
      repo: createTicketRepo(db.prisma, db.sql),
      config: await seedAndLoadTicketConfig(db.prisma),
      timers,
      notifier: createNotifier({ outbox, send: async () => ({ status: 'sent' }), directory }),
      directory,
      now: () => clock,
      log,
    });
    const ids = createIdentityStore(db.prisma);
    customer = await ids.resolve('sandbox', 'cust1', 'customer');
    mgr = await ids.resolve('sandbox', 'mgr1', 'manager');
  });
  afterAll(async () => cleanup());

  it('an allergy opens a P1 ticket in the critical lane, explains why, and pushes to the on-duty agent', async () => {
    const reply = (
      await service.onCustomerMessage({
        sender: customer,
        delivery: delivery('用了面霜过敏起疹子'),
        parse: parse('safety_issue', ['过敏', '起疹子'], 'critical'),
      })
    )?.text;
    expect(reply).toMatch(/已为您登记售后工单 #1（安全问题，优先级 P1）.*加急/);
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    expect(t.priority).toBe('P1');
    expect((t.priorityReasons as string[]).join(' ')).toContain('过敏 → 安全问题 → P1');
    expect(t.firstResponseDueAt?.getTime()).toBe(clock.getTime() + 30 * 60_000);
    expect(scheduled.filter((s) => s.ticketId === 1).map((s) => s.kind)).toEqual(
      expect.arrayContaining(['first_response', 'next_update', 'resolution', 'escalation-critical']),
    );
    expect((await inbox('agent1')).join('\n')).toContain('【P1·第1级升级】工单 #1');
  });

  it('a repeat message attaches as a reminder; the same delivery retried does not count twice', async () => {
    const d = delivery('过敏了 脸还肿着 怎么还没人管');
    const p = parse('safety_issue', ['过敏'], 'critical');
    const first = (await service.onCustomerMessage({ sender: customer, delivery: d, parse: p }))?.text;
    const again = (await service.onCustomerMessage({ sender: customer, delivery: d, parse: p }))?.text;
    expect(first).toContain('工单 #1');
    expect(again).toContain('工单 #1');
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    expect(t.reminderCount).toBe(1);
    expect(await db.prisma.ticket.count()).toBe(1);
  });

  it('an unacknowledged push climbs to the supervisor after its delay; a breach fires once however often the timer runs', async () => {
    clock = new Date(clock.getTime() + 16 * 60_000);
    const climb = scheduled.find((s) => s.ticketId === 1 && s.kind === 'escalation-critical');
    expect(climb).toBeDefined();
    if (!climb) return;
    await expect(service.onTimer(climb)).resolves.toBe('climbed-to-2');
    expect((await inbox('sup1')).join('\n')).toContain('第2级升级】工单 #1');

    clock = new Date(clock.getTime() + 20 * 60_000); // 36 min: first response breached
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    const breach = {
      ticketId: 1,
      kind: 'first_response',
      revision: t.policyRevision,
      dueAt: t.firstResponseDueAt ?? clock,
    };
    await service.onTimer(breach);
    await service.onTimer(breach);
    const events = await db.prisma.slaEvent.findMany({
      where: { ticketId: 1, timer: 'first_response', type: 'breach' },
    });
    expect(events).toHaveLength(1);
  });

  it('a complaint goes straight to the manager; 收到 #id acknowledges and stops the climb', async () => {
    const id = await ticketFor(
      '再不处理我就打12315投诉你们',
      parse('complaint', ['12315', '投诉'], 'critical', { escalateToManager: true }),
    );
    expect((await inbox('mgr1')).join('\n')).toContain(`第3级升级】工单 #${id}`);
    const ack = await service.onStaffMessage({
      sender: mgr,
      delivery: { ...delivery(`收到 #${id}`), userRef: 'mgr1', role: 'manager' },
    });
    expect(ack).toContain(`已确认工单 #${id}`);
    const pending = await db.prisma.escalation.count({ where: { ticketId: id, status: 'pending' } });
    expect(pending).toBe(0);
    const ticket = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(ticket.status).toBe('acknowledged');
    expect(ticket.firstRespondedAt).not.toBeNull();
  });

  it('waiting on the customer pauses the SLA; the customer replying resumes it with the deadline pushed back', async () => {
    const agent = await createIdentityStore(db.prisma).resolve('sandbox', 'agent1', 'staff');
    const staffMsg = (text: string) => ({ ...delivery(text), userRef: 'agent1', role: 'staff' as const });
    await service.onStaffMessage({ sender: agent, delivery: staffMsg('处理 #1') });
    expect(await service.onStaffMessage({ sender: agent, delivery: staffMsg('等待 #1') })).toContain('等待顾客回复');
    const paused = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    expect(paused.resolveDueAt).toBeNull();
    clock = new Date(clock.getTime() + 60 * 60_000);
    const reply = (
      await service.onCustomerMessage({
        sender: customer,
        delivery: delivery('照片发你们了'),
        parse: parse('safety_issue', ['过敏'], 'critical'),
      })
    )?.text;
    expect(reply).toContain('已继续处理');
    const resumed = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    expect(resumed.status).toBe('in_progress');
    expect(resumed.resolveDueAt?.getTime()).toBe(resumed.createdAt.getTime() + (1440 + 60) * 60_000);
    // the timers queued before the pause belong to an older revision and do nothing when they fire
    expect(resumed.policyRevision).toBeGreaterThan(paused.policyRevision);
    const events = await db.prisma.ticketEvent.findMany({ where: { ticketId: 1, type: 'status' } });
    expect(events.map((e) => e.reason)).toContain('顾客回复，恢复计时');
  });

  it('staff taking a waiting ticket back (处理 #1) also ends the pause: the clock runs again', async () => {
    const agent = await createIdentityStore(db.prisma).resolve('sandbox', 'agent1', 'staff');
    const staffMsg = (text: string) => ({ ...delivery(text), userRef: 'agent1', role: 'staff' as const });
    await service.onStaffMessage({ sender: agent, delivery: staffMsg('等待 #1') });
    const before = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    const pausedBefore = Number((before.flags as { pausedMinutes?: number } | null)?.pausedMinutes ?? 0);
    clock = new Date(clock.getTime() + 30 * 60_000);
    expect(await service.onStaffMessage({ sender: agent, delivery: staffMsg('处理 #1') })).toContain('处理中');
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id: 1 } });
    expect(t.status).toBe('in_progress');
    expect(t.pausedAt).toBeNull(); // was left set, so the SLA clock stayed paused for good
    expect((t.flags as { pausedMinutes?: number }).pausedMinutes).toBe(pausedBefore + 30);
    expect(t.resolveDueAt).not.toBeNull();
  });

  it('refuses an impossible transition with a clear message', async () => {
    const agent = await createIdentityStore(db.prisma).resolve('sandbox', 'agent1', 'staff');
    const r = await service.onStaffMessage({
      sender: agent,
      delivery: { ...delivery('关闭 #1'), userRef: 'agent1', role: 'staff' },
    });
    expect(r).toBe('工单 #1：「处理中」的工单不能关闭');
  });

  it('the staff view of a long-lived ticket shows its latest records, not its first ones', async () => {
    const agent = await createIdentityStore(db.prisma).resolve('sandbox', 'agent1', 'staff');
    const id = await ticketFor('买贵了 申请价保', parse('price_protection'));
    for (let i = 0; i < 10; i++)
      await service.onCustomerMessage({
        sender: customer,
        delivery: delivery('价保呢'),
        parse: parse('price_protection'),
      });
    const view =
      (await service.onStaffMessage({
        sender: agent,
        delivery: { ...delivery(`工单 #${id}`), userRef: 'agent1', role: 'staff' },
      })) ?? '';
    const records = view.split('记录：')[1] ?? '';
    expect(records).toContain('第 10 次催促');
    expect(records).not.toContain('price_protection →'); // the creation record is the oldest of 11
  });

  it('超时工单 lists what is past its SLA, how late and whose it is; nothing is listed before the deadline', async () => {
    const sup = await createIdentityStore(db.prisma).resolve('sandbox', 'sup1', 'staff');
    const ask = () =>
      service.onStaffMessage({
        sender: sup,
        delivery: { ...delivery('@bot 超时工单'), userRef: 'sup1', role: 'staff' },
      });
    const id = await ticketFor('发票一直没开', parse('invoice'));
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(await ask()).not.toContain(`#${id} `);
    clock = new Date((t.firstResponseDueAt as Date).getTime() + 2 * 3600_000);
    const late = (await ask()) ?? '';
    expect(late).toMatch(/^未完成工单 \d+ 张（P1 \d+ · P2 \d+ · P3 \d+ · P4 \d+）。其中 \d+ 张已超时：/);
    expect(late).toMatch(new RegExp(`#${id} P4 待处理 发票 · 首响超时 2 小时（.+）`));
  });

  it('转人工 on an open ticket gives its first-response deadline, after hours too, and says it promised one', async () => {
    const who = await createIdentityStore(db.prisma).resolve('sandbox', 'cust-handoff', 'customer');
    const say = (text: string, p: Parse, afterHours: boolean) =>
      service.onCustomerMessage(
        { sender: who, delivery: { ...delivery(text), userRef: 'cust-handoff' }, parse: p },
        { chase: true, afterHours },
      );
    const opened = (await say('杯子碎了', parse('damaged'), false))?.text ?? '';
    const id = Number(/#(\d+)/.exec(opened)?.[1]);
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    const due = fmtTime(t.firstResponseDueAt as Date);
    const day = await say('转人工', parse('human_agent'), false);
    expect(day?.text).toContain(`您的工单 #${id}`);
    expect(day?.text).toContain(`客服最晚 ${due} 前联系您`);
    expect(day?.promised).toBe(true);
    // The deadline runs around the clock: at night it still holds (the message handler then adds no hours).
    // The second reminder raised the priority, so the deadline may be earlier now.
    const night = await say('转人工 快点', parse('human_agent'), true);
    expect(night?.text).toMatch(/客服最晚 \d+\/\d+ \d\d:\d\d 前联系您/);
    expect(night?.promised).toBe(true);
    // Once someone has answered, there is no deadline to name.
    await service.onStaffMessage({
      sender: await createIdentityStore(db.prisma).resolve('sandbox', 'agent1', 'staff'),
      delivery: { ...delivery(`受理 #${id}`), userRef: 'agent1', role: 'staff' },
    });
    const later = await say('转人工', parse('human_agent'), true);
    expect(later?.text).not.toContain('客服最晚');
    expect(later?.promised).toBeUndefined();
  });

  // Last: it opens a ticket, and the tests above count ticket ids.
  it('优先级 #N retried with the same delivery changes the priority once, records one event and pushes once', async () => {
    const id = await ticketFor('我要开发票', parse('invoice'));
    const sup = await createIdentityStore(db.prisma).resolve('sandbox', 'sup1', 'staff');
    const before = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    const d = { ...delivery(`优先级 #${id} P2 顾客急着报销`), userRef: 'sup1', role: 'staff' as const };
    const first = await service.onStaffMessage({ sender: sup, delivery: d });
    const again = await service.onStaffMessage({ sender: sup, delivery: d });
    expect(first).toMatch(new RegExp(`^工单 #${id} 优先级 ${before.priority} → P2，`));
    expect(again).toMatch(new RegExp(`^工单 #${id} 优先级已调为 P2，`));
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.priority).toBe('P2');
    expect(t.policyRevision).toBe(before.policyRevision + 1);
    expect(await db.prisma.ticketEvent.count({ where: { ticketId: id, type: 'priority' } })).toBe(1);
    const owner = await db.prisma.identity.findFirstOrThrow({ where: { staffId: t.assigneeId ?? '' } });
    const pushes = (await inbox(owner.externalId)).filter((m) => m.includes(`工单 #${id} 优先级`));
    expect(pushes).toHaveLength(1);
  });
  it('resolved tickets the customer has not come back to within 7 days are closed, once; younger ones stay', async () => {
    const sup = await createIdentityStore(db.prisma).resolve('sandbox', 'sup1', 'staff');
    const resolve = async (id: number) =>
      service.onStaffMessage({ sender: sup, delivery: { ...delivery(`解决 #${id}`), userRef: 'sup1', role: 'staff' } });
    const old = await ticketFor('发票抬头开错了', parse('invoice'));
    await resolve(old);
    clock = new Date(clock.getTime() + 5 * 86_400_000);
    const young = await ticketFor('收到的杯子碎了', parse('damaged'));
    await resolve(young);
    clock = new Date(clock.getTime() + 3 * 86_400_000); // old: resolved 8 days ago; young: 3 days ago
    const openBefore = await db.prisma.ticket.count({ where: { status: { notIn: ['resolved', 'closed'] } } });
    expect(await service.closeResolved(7)).toBeGreaterThanOrEqual(1);
    const closed = await db.prisma.ticket.findUniqueOrThrow({ where: { id: old } });
    expect(closed).toMatchObject({ status: 'closed', openKey: null });
    expect(closed.closedAt?.getTime()).toBe(clock.getTime());
    const events = await db.prisma.ticketEvent.findMany({ where: { ticketId: old, type: 'status' } });
    expect(events.map((e) => e.reason)).toContain('解决后 7 天顾客没有再回复，自动关闭');
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: young } })).status).toBe('resolved');
    // Nothing else moved, and a second run closes nothing more.
    expect(await db.prisma.ticket.count({ where: { status: { notIn: ['resolved', 'closed'] } } })).toBe(openBefore);
    expect(await service.closeResolved(7)).toBe(0);
  });
});
