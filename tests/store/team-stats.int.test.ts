import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamText, teamView } from '../../src/app/tickets/team.ts';
import type { Database } from '../../src/store/db.ts';
import { createTicketRepo } from '../../src/store/tickets.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

const NOW = new Date('2026-12-01T01:00:00Z'); // 09:00 in China
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const DAY = 24 * 60;

describe('客服工作量: each colleague by the tickets they own (PostgreSQL)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let ids: { li: string; wang: string };
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    const p = db.prisma;
    const li = await p.staff.create({ data: { name: '客服小李', role: 'agent' } });
    const wang = await p.staff.create({ data: { name: '客服小王', role: 'agent' } });
    await p.staff.create({ data: { name: '仓库老周', role: 'warehouse' } });
    ids = { li: li.id, wang: wang.id };
    const customer = await p.customer.create({ data: { name: '顾客' } });
    let n = 0;
    const ticket = (data: Record<string, unknown>) =>
      p.ticket.create({
        data: {
          customerId: customer.id,
          problem: 'damaged',
          priority: 'P3',
          channel: 'sandbox',
          summary: `工单 ${++n}`,
          createdAt: ago(DAY),
          ...data,
        },
      });
    // 小李: two unfinished (one past its first-response deadline, one waiting on the customer with a past
    // deadline: the SLA is paused, not overdue), two resolved this week answered after 10 and 30 minutes (the
    // second after its deadline), one resolved long ago (left out), ratings 满意 and 不满意.
    await ticket({ assigneeId: li.id, firstResponseDueAt: ago(60) });
    await ticket({
      assigneeId: li.id,
      status: 'waiting_customer',
      firstRespondedAt: ago(DAY - 5),
      resolveDueAt: ago(5),
    });
    /** 小李's ticket opened `daysAgo` days ago, answered after `answeredAfter` minutes (due after `dueAfter`), resolved a day later. */
    const done = (status: string, daysAgo: number, answeredAfter: number, dueAfter: number) =>
      ticket({
        assigneeId: li.id,
        status,
        createdAt: ago(daysAgo * DAY),
        firstRespondedAt: ago(daysAgo * DAY - answeredAfter),
        firstResponseDueAt: ago(daysAgo * DAY - dueAfter),
        resolvedAt: ago((daysAgo - 1) * DAY),
      });
    const quick = await done('resolved', 2, 10, 30);
    const slow = await done('closed', 3, 30, 15);
    await ticket({ assigneeId: li.id, status: 'closed', createdAt: ago(30 * DAY), resolvedAt: ago(20 * DAY) });
    await p.ticketEvent.createMany({
      data: [
        { ticketId: quick.id, type: 'rating', actor: 'customer:x', at: ago(DAY - 60), data: { level: 'bad' } },
        // The latest rating of a ticket counts: 不满意, then 满意.
        { ticketId: slow.id, type: 'rating', actor: 'customer:x', at: ago(2 * DAY - 30), data: { level: 'bad' } },
        { ticketId: slow.id, type: 'rating', actor: 'customer:x', at: ago(2 * DAY - 60), data: { level: 'good' } },
      ],
    });
    // Nobody's: one unfinished, past its resolution deadline.
    await ticket({ resolveDueAt: ago(10), firstRespondedAt: ago(DAY - 1) });
  });
  afterAll(async () => cleanup?.());

  it('counts what each owns now and what they did in the last 7 days; nobody’s tickets come last', async () => {
    const view = await teamView(createTicketRepo(db.prisma, db.sql), NOW, 7);
    expect(view.agents).toEqual([
      {
        id: ids.li,
        name: '客服小李',
        role: 'agent',
        open: 2,
        overdue: 1,
        resolved: 2,
        responded: 3,
        respondedLate: 1,
        medianFirstResponseMins: 10,
        ratings: { good: 1, okay: 0, bad: 1 },
      },
      {
        id: ids.wang,
        name: '客服小王',
        role: 'agent',
        open: 0,
        overdue: 0,
        resolved: 0,
        responded: 0,
        respondedLate: 0,
        ratings: { good: 0, okay: 0, bad: 0 },
      },
      expect.objectContaining({ id: null, name: '未分配', open: 1, overdue: 1 }),
    ]);
    expect(teamText(view, NOW).split('\n')).toEqual([
      '客服工作量（近 7 天，11/24 09:00 至 12/1 09:00；按当前负责人统计）：',
      '· 客服小李（客服）：未完成 2（超时 1）；已解决 2；首响 3 张，中位 10 分钟，超时 1 张；满意 1 · 一般 0 · 不满意 1',
      '· 客服小王（客服）：未完成 0；已解决 0',
      '· 未分配：未完成 1（超时 1）',
    ]);
  });
});
