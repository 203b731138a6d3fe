import { describe, expect, it } from 'vitest';
import type { ReportSources } from '../../src/app/reports.ts';
import { ticketQueue } from '../../src/app/tickets/queue.ts';
import { teamView } from '../../src/app/tickets/team.ts';
import { registerReportRoutes } from '../../src/http/reports.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createMetrics } from '../../src/lib/metrics.ts';

const sources: ReportSources = {
  health: async () => ({
    syncOrders: 0,
    credibility: 0.9,
    signed: 10,
    responded: 0,
    orderChanges: 0,
    checkedOrders: 0,
  }),
  problemTickets: async () => [
    {
      problem: 'damaged',
      summary: '杯子碎了',
      createdAt: new Date('2026-11-30T13:00:00Z'), // 21:00 in China
      items: [{ sku: 'CUP-01', name: '陶瓷马克杯 350ml' }],
    },
  ],
};

/** The queue of a quiet day: two open tickets, none late. */
const queue = (now: Date) =>
  ticketQueue(
    {
      overdue: async () => [],
      openList: async () => [],
      openByPriority: async () => ({ P1: 1, P3: 1 }),
      daySummary: async () => ({
        created: 2,
        byProblem: [{ problem: 'damaged', n: 2 }],
        resolved: 0,
        responded: 0,
        medianFirstResponseMins: undefined,
        firstResponseLate: 0,
        overdueNow: 0,
      }),
    },
    now,
  );

/** One agent who answered in a median 12.4 minutes and has no ratings; the days each call asked for. */
const teamDays: number[] = [];
const team = (now: Date, days: number) => {
  teamDays.push(days);
  return teamView(
    {
      agentStats: async () => [
        {
          ...{ id: 's1', name: '客服小李', role: 'agent', open: 2, overdue: 1, resolved: 3, responded: 3 },
          ...{ responded_late: 0, median_first_min: 12.4, good: 0, okay: 0, bad: 0 },
        },
      ],
    },
    now,
    days,
  );
};

const server = (opts: { token?: string; sandbox: boolean }) =>
  createHttpServer({
    log: createLogger({ level: 'silent', secretKeys: [] }),
    metrics: createMetrics(),
    bodyLimit: 1024,
    probes: [],
    routes: [
      (app) =>
        registerReportRoutes(app, {
          sources,
          queue,
          team,
          token: opts.token,
          sandbox: opts.sandbox,
          now: () => new Date('2026-12-01T01:00:00Z'),
        }),
    ],
  });

describe('report API: who may read it, and what it returns', () => {
  it('open in the sandbox demo when no admin token is set', async () => {
    const app = await server({ sandbox: true });
    const health = await app.inject({ url: '/api/reports/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ label: '近 7 天，截至 12/1 09:00', headline: '1/1 项达标' });
    expect(health.json().rows[1]).toMatchObject({ name: '物流状态可信率', value: '90.0%', verdict: 'ok' });
    const rc = await app.inject({ url: '/api/reports/root-cause' });
    expect(rc.json()).toMatchObject({
      tickets: 1,
      problems: [{ key: 'damaged', name: '商品破损' }],
      rows: [{ sku: 'CUP-01', total: 1, byProblem: { damaged: 1 }, byBand: [0, 0, 0, 0, 0, 1] }],
    });
    await app.close();
  });

  it('the team report gives the chat words for the page and refuses days outside 1–90', async () => {
    const app = await server({ sandbox: true });
    const res = await app.inject({ url: '/api/reports/team?days=30' });
    expect(res.statusCode).toBe(200);
    expect(teamDays.at(-1)).toBe(30);
    expect(res.json()).toMatchObject({ days: 30, since: '2026-11-01T01:00:00.000Z' });
    expect(res.json().agents).toEqual([
      expect.objectContaining({ name: '客服小李', roleZh: '客服', firstResponseText: '12 分钟', ratingsText: '—' }),
    ]);
    for (const days of ['0', '91', '7.5', 'x']) {
      const bad = await app.inject({ url: `/api/reports/team?days=${days}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toBe('days 必须是 1 到 90 之间的整数');
    }
  });

  it('closed without a token when the sandbox is off; with a token, only for that token', async () => {
    const closed = await server({ sandbox: false });
    const off = await closed.inject({ url: '/api/reports/health' });
    expect(off.statusCode).toBe(403);
    expect(off.json().error.message).toBe('报表接口未启用：请设置 ADMIN_TOKEN');
    await closed.close();
    const guarded = await server({ token: 'report-token-0123456789', sandbox: true });
    expect((await guarded.inject({ url: '/api/reports/root-cause' })).statusCode).toBe(403);
    expect((await guarded.inject({ url: '/api/reports/queue' })).statusCode).toBe(403);
    const q = await guarded.inject({
      url: '/api/reports/queue',
      headers: { authorization: 'Bearer report-token-0123456789' },
    });
    expect(q.json()).toMatchObject({
      open: { P1: 1, P2: 0, P3: 1, P4: 0 },
      openTotal: 2,
      overdue: [],
      today: { created: 2, byProblem: [{ problem: '商品破损', n: 2 }] },
    });
    const ok = await guarded.inject({
      url: '/api/reports/root-cause',
      headers: { authorization: 'Bearer report-token-0123456789' },
    });
    expect(ok.statusCode).toBe(200);
    // The page itself holds no numbers: it is served to anyone, and asks for the token.
    const page = await guarded.inject({ url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    await guarded.close();
  });
});
