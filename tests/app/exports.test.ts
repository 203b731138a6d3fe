import { describe, expect, it } from 'vitest';
import { type ExportStore, exportDecision, exportOrders, notifyExportRequests } from '../../src/app/exports.ts';
import type { Notifier, Push } from '../../src/app/notify.ts';
import type { AuditEntry } from '../../src/app/order-ports.ts';
import { CodedError } from '../../src/domain/errors.ts';
import type { ExportFilter, ExportOrder, ExportRequest } from '../../src/domain/orders/export.ts';

/** An in-memory store with `n` orders matching every filter and the given managers; requests dated by `now`. */
function fakeStore(n: number, managers: string[], now: () => Date) {
  const requests: (ExportRequest & { notifiedAt?: Date })[] = [];
  const orders: ExportOrder[] = Array.from({ length: n }, (_, i) => ({
    orderNo: `SO-${i}`,
    source: 'own',
    status: 'shipped',
    amountCents: 100,
    phone: '13800001111',
    items: [],
  }));
  const store: ExportStore = {
    countOrders: async () => n,
    orders: async () => orders,
    async createRequest(r) {
      const req: ExportRequest = { id: requests.length + 1, ...r, status: 'pending', createdAt: now() };
      requests.push(req);
      return req;
    },
    request: async (id) => requests.find((r) => r.id === id),
    async decide(id, d) {
      const r = requests.find((x) => x.id === id);
      if (r?.status !== 'pending') return undefined;
      Object.assign(r, {
        status: d.status,
        decidedBy: d.by,
        decidedAt: d.at,
        ...(d.reason ? { reason: d.reason } : {}),
      });
      return r;
    },
    pending: async () => requests.filter((r) => r.status === 'pending'),
    toNotify: async () => requests.filter((r) => r.status === 'pending' && !r.notifiedAt),
    async markNotified(id, at) {
      const r = requests.find((x) => x.id === id);
      if (r) r.notifiedAt = at;
    },
    managerIds: async () => managers,
  };
  return { store, requests };
}

function harness(n: number, managers = ['mgr']) {
  let now = new Date('2026-11-30T02:00:00Z');
  const { store, requests } = fakeStore(n, managers, () => now);
  const audit: AuditEntry[] = [];
  const deps = {
    store,
    audit: { write: async (e: AuditEntry) => void audit.push(e) },
    clock: { now: () => now },
  };
  return { deps, requests, audit, later: (h: number) => (now = new Date(now.getTime() + h * 3_600_000)) };
}

const manager = { id: 'mgr', name: '经理陈总', staffRole: 'manager' };
const agent = { id: 'a1', name: '客服小王', staffRole: 'agent' };
const all: ExportFilter = {};

describe('order exports and their approval', () => {
  it('100 orders are written at once, masked, and the export audited', async () => {
    const h = harness(100);
    const out = await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    expect(out.kind).toBe('file');
    if (out.kind !== 'file') return;
    expect(out.csv.trim().split('\r\n')).toHaveLength(101);
    expect(out.csv).toContain('138****1111');
    expect(out.csv).not.toContain('13800001111');
    expect(h.audit).toEqual([
      { actor: 'admin:张三', action: 'order.export', subject: 'orders', detail: { count: 100, filter: all } },
    ]);
  });

  it('101 orders become a request; an agent cannot decide it, a manager can, once; then it downloads', async () => {
    const h = harness(101);
    const asked = await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    expect(asked).toMatchObject({ kind: 'pending', requestId: 1, count: 101 });
    expect((await exportOrders(h.deps, { filter: all, by: 'admin:张三', requestId: 1 })).kind).toBe('pending');
    expect(await exportDecision(h.deps, agent, '批准导出 1')).toBe('只有经理可以批准或拒绝导出申请。');
    expect(await exportDecision(h.deps, manager, '@bot 批准导出 #1')).toBe(
      '已批准导出申请 #1（管理员 张三，101 个订单）。申请人可在 24 小时内下载。',
    );
    expect(await exportDecision(h.deps, manager, '拒绝导出 1')).toBe('导出申请 #1 已经由经理陈总批准了。');
    expect(await exportDecision(h.deps, manager, '批准导出 9')).toBe('没有导出申请 #9。');
    const file = await exportOrders(h.deps, { filter: all, by: 'admin:张三', requestId: 1 });
    expect(file).toMatchObject({ kind: 'file', count: 101, requestId: 1 });
    expect(h.audit.map((a) => a.action)).toEqual(['order.export_requested', 'export.approve', 'order.export']);
  });

  it('an approval is good for 24 hours; a rejection says why', async () => {
    const h = harness(150);
    await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    await exportDecision(h.deps, manager, '批准导出 1');
    await exportDecision(h.deps, manager, '拒绝导出 2，太多了');
    const refused = exportOrders(h.deps, { filter: all, by: 'admin:张三', requestId: 2 });
    await expect(refused).rejects.toThrow('导出申请 #2 已被 经理陈总 拒绝：太多了。');
    h.later(25);
    await expect(exportOrders(h.deps, { filter: all, by: 'admin:张三', requestId: 1 })).rejects.toThrow(
      '导出申请 #1 的批准已超过 24 小时，请重新申请。',
    );
  });

  it('「导出申请」 lists what waits for a manager, each with how to answer; agents are told it is not theirs', async () => {
    const h = harness(150);
    expect(await exportDecision(h.deps, manager, '@bot 导出申请')).toBe('目前没有待审批的导出申请。');
    await exportOrders(h.deps, { filter: { source: 'tmall' }, by: 'admin:张三' });
    await exportOrders(h.deps, { filter: all, by: 'cli:李四' });
    await exportDecision(h.deps, manager, '批准导出 1');
    expect((await exportDecision(h.deps, manager, '待审批的导出申请'))?.split('\n')).toEqual([
      '待审批的导出申请 1 个：',
      '#2 李四（命令行） · 150 个订单（全部订单）· 11/30 10:00 申请',
      '回复「批准导出 编号」或「拒绝导出 编号 理由」。',
    ]);
    expect(await exportDecision(h.deps, agent, '导出申请')).toBe('只有经理可以批准或拒绝导出申请。');
    expect(await exportDecision(h.deps, manager, '导出一下订单')).toBeUndefined();
  });

  it('a request nobody decides lapses after 7 days: it can be neither approved nor downloaded', async () => {
    const h = harness(101);
    await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    h.later(7 * 24 + 1);
    expect(await exportDecision(h.deps, manager, '批准导出 1')).toBe(
      '导出申请 #1 超过 7 天没有审批，已失效；需要的话请申请人重新申请。',
    );
    await expect(exportOrders(h.deps, { filter: all, by: 'admin:张三', requestId: 1 })).rejects.toThrow(
      '导出申请 #1 超过 7 天没有经理审批，已失效，请重新申请。',
    );
  });

  it('with no manager to approve it, a large export is refused at once, saying what to do', async () => {
    const h = harness(101, []);
    const err = await exportOrders(h.deps, { filter: all, by: 'admin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe('conflict');
    expect((err as Error).message).toContain('员工名录里还没有经理');
    expect(h.requests).toHaveLength(0);
  });

  it('the managers and their group are told of each request once', async () => {
    const h = harness(101);
    await exportOrders(h.deps, { filter: all, by: 'admin:张三' });
    const pushes: Push[] = [];
    const notifier: Notifier = {
      async push(p) {
        pushes.push(p);
        return { sent: 1, results: [] };
      },
      delivered: async () => false,
    };
    expect(await notifyExportRequests({ ...h.deps, notifier })).toEqual(['export-request-1']);
    expect(await notifyExportRequests({ ...h.deps, notifier })).toEqual([]);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.to).toEqual({ staffIds: ['mgr'], group: 'managers' });
    expect(pushes[0]?.text).toMatch(/^导出审批 #1：管理员 张三 申请导出 101 个订单（全部订单）。/);
  });
});
