import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, startTestService, type TestService } from '../support/service.ts';

const TOKEN = 'test-admin-token-0123456789';

describe('admin API (token-protected)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => svc?.stop());
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(svc.base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  it('refuses requests without the right token', async () => {
    expect((await call('GET', '/api/admin/sla-policies', undefined, 'wrong')).status).toBe(403);
    const res = await fetch(`${svc.base}/api/admin/sla-policies`);
    expect(res.status).toBe(403);
  });

  it('lists the seeded SLA policies and replaces one with a new revision', async () => {
    const list = await call('GET', '/api/admin/sla-policies');
    expect(list.json.map((p: { priority: string }) => p.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
    const p2 = list.json.find((p: { priority: string }) => p.priority === 'P2');
    const put = await call('PUT', `/api/admin/sla-policies/${p2.id}`, {
      ...p2,
      firstResponseMins: 90,
      nextUpdateMins: p2.nextUpdateMins ?? undefined,
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ firstResponseMins: 90, revision: p2.revision + 1 });
  });

  it('rejects a rule with a condition outside the allow-list, naming it, and stores nothing', async () => {
    const bad = await call('PUT', '/api/admin/rules/bad-rule', {
      name: 'x',
      when: { sql: 'drop table' },
      actions: [{ type: 'mark_reship' }],
      explain: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('sql');
    const rules = await call('GET', '/api/admin/rules');
    expect(rules.json.map((r: { id: string }) => r.id)).not.toContain('bad-rule');
  });

  it('answers 404 in Chinese for an unknown ticket', async () => {
    const res = await call('GET', '/api/admin/tickets/99999');
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('没有工单 #99999');
  });
});

describe('admin API: staff directory', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => svc?.stop());

  it('registers a WeCom user as a manager, who then receives manager-level pushes', async () => {
    const res = await fetch(`${svc.base}/api/admin/staff/wecom/lisi`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '李经理', role: 'manager' }),
    });
    expect(res.status).toBe(200);
    const managers = await svc.db.prisma.staff.findMany({ where: { role: 'manager' }, include: { identities: true } });
    expect(managers.flatMap((m) => m.identities.map((i) => `${i.platform}:${i.externalId}`))).toContain('wecom:lisi');
  });

  it('marks a 微信客服 customer VIP before they ever write; their first problem takes the VIP priority', async () => {
    const put = (body: unknown) =>
      fetch(`${svc.base}/api/admin/customers/sandbox/c-crm-vip`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await put({ tier: 'gold' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('tier');
    expect((await put({ tier: 'vip', name: '王女士' })).status).toBe(200);
    const r = await svc.post('/api/sandbox/messages', {
      user: 'c-crm-vip',
      role: 'customer',
      text: '发票开错了 抬头不对',
    });
    const id = Number(/工单 #(\d+)/.exec(r.json.replies[0].text)?.[1]);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { customer: true } });
    expect(t.customer).toMatchObject({ name: '王女士', tier: 'vip' });
    expect(t.priorityReasons).toContain('VIP 客户 → 提升一级');
  });
});
