import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { healthNumbers, productProblemTickets } from '../../src/store/reports.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

const NOW = new Date('2026-12-01T01:00:00Z'); // 09:00 in China
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const DAY = 24 * 60;

describe("the managers' reports measured on PostgreSQL (the last 7 days)", () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    const p = db.prisma;
    // Orders: placed in the window and reaching us 30 s, 60 s and 600 s later (median 60 s); one placed before
    // the window (left out of the delay), one with a cross-source conflict still open.
    const order = (no: string, orderedAt: Date, delaySec: number) =>
      p.order.create({
        data: {
          orderNo: no,
          source: 'tmall',
          status: 'shipped',
          orderedAt,
          createdAt: new Date(orderedAt.getTime() + delaySec * 1000),
          updatedAt: ago(60),
        },
      });
    await order('H1', ago(DAY), 30);
    await order('H2', ago(2 * DAY), 60);
    const conflicted = await order('H3', ago(3 * DAY), 600);
    await order('OLD', ago(9 * DAY), 5000);
    await p.anomalyFinding.create({ data: { orderId: conflicted.id, kind: 'data_conflict', fingerprint: 'amount' } });
    // Sign-offs: 3 with evidence of 4 in the window; one electronic-only before it.
    const signed = (trackingNo: string, signoffKind: string, at: Date) =>
      p.logisticsEvent.create({
        data: { carrier: 'sf', trackingNo, at, description: '已签收', kind: 'signed', signoffKind },
      });
    await signed('SF1', 'photo', ago(DAY));
    await signed('SF2', 'otp', ago(DAY));
    await signed('SF3', 'locker', ago(DAY));
    await signed('SF4', 'electronic', ago(DAY));
    await signed('SF5', 'electronic', ago(8 * DAY));
    // Tickets: first answers after 20 and 100 minutes (median 60); order changes: two resolved, one of them
    // reopened, and one the customer withdrew (left out).
    const customer = await p.customer.create({ data: { name: '顾客' } });
    const ticket = (problem: string, extra: Record<string, unknown>) =>
      p.ticket.create({
        data: { customerId: customer.id, problem, priority: 'P3', channel: 'sandbox', summary: '…', ...extra },
      });
    const cups = await p.order.create({
      data: {
        orderNo: 'H-CUPS',
        source: 'own',
        status: 'signed',
        updatedAt: ago(60),
        items: [
          { sku: 'CUP-01', name: '陶瓷马克杯 350ml', qty: 1, priceCents: 3900 },
          { sku: 'PLT-02', name: '骨瓷餐盘 8寸', qty: 2, priceCents: 2500 },
        ],
      },
    });
    await ticket('damaged', { createdAt: ago(30), orderId: cups.id, summary: '马克杯碎了' });
    await ticket('quality', {
      createdAt: ago(40),
      orderId: cups.id,
      summary: '衣服掉色',
      flags: { orderGuessed: true },
    });
    await ticket('complaint', { createdAt: ago(30), orderId: cups.id });
    await ticket('damaged', { createdAt: ago(200), firstRespondedAt: ago(180) });
    await ticket('quality', { createdAt: ago(300), firstRespondedAt: ago(200) });
    await ticket('order_change', { status: 'resolved', resolvedAt: ago(100) });
    await ticket('order_change', { status: 'resolved', resolvedAt: ago(100), reopenCount: 1 });
    const withdrawn = await ticket('order_change', { status: 'closed', resolvedAt: ago(50) });
    await p.ticketEvent.create({
      data: { ticketId: withdrawn.id, type: 'status', actor: 'customer:x', reason: '撤回申请：算了不改了' },
    });
  });
  afterAll(async () => cleanup());

  it('counts each number over what it is measured on', async () => {
    const n = await healthNumbers(db.sql, ago(7 * DAY), NOW);
    expect(n.syncOrders).toBe(3);
    expect(n.syncDelayMedianSec).toBeCloseTo(60, 3);
    expect(n.signed).toBe(4);
    expect(n.credibility).toBeCloseTo(0.75, 6);
    expect(n.responded).toBe(2);
    expect(n.firstResponseMedianMin).toBeCloseTo(60, 3);
    expect(n.orderChanges).toBe(2);
    expect(n.orderChangeSuccess).toBeCloseTo(0.5, 6);
    expect(n.checkedOrders).toBe(5);
    expect(n.consistency).toBeCloseTo(0.8, 6);
  });

  it("the week's product problems come with their orders' goods; complaints and order changes are not product problems", async () => {
    const week = await productProblemTickets(db.sql, ago(7 * DAY), NOW);
    expect(week.map((t) => t.problem).sort()).toEqual(['damaged', 'damaged', 'quality', 'quality']);
    expect(week.find((t) => t.summary === '衣服掉色')?.orderGuessed).toBe(true);
    const cup = week.find((t) => t.summary === '马克杯碎了');
    expect(cup?.items).toEqual([
      { sku: 'CUP-01', name: '陶瓷马克杯 350ml' },
      { sku: 'PLT-02', name: '骨瓷餐盘 8寸' },
    ]);
    expect(cup?.createdAt.toISOString()).toBe(ago(30).toISOString());
    expect(cup?.orderGuessed).toBeUndefined();
    expect(await productProblemTickets(db.sql, ago(20), NOW)).toEqual([]);
  });

  it('an empty window measures nothing', async () => {
    const n = await healthNumbers(db.sql, ago(30 * DAY), ago(20 * DAY));
    expect(n).toEqual({ syncOrders: 0, signed: 0, responded: 0, orderChanges: 0, checkedOrders: 0 });
  });
});
