import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestService, type TestService } from '../support/service.ts';

/** "HH:MM" in China now: the report time that makes today's report due at once. */
function chinaClock(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
}

const NAMES = [
  '订单状态同步延迟中位数',
  '物流状态可信率',
  '售后首次响应时间中位数',
  '订单修改成功率',
  '跨系统数据一致性',
];

describe('the daily health report (real service, PostgreSQL + Redis, demo data)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { HEALTH_REPORT_AT: chinaClock() } });
  });
  afterAll(async () => svc?.stop());

  const managersGroup = async () =>
    ((await svc.get('/api/sandbox/inbox?chat=managers')).json.messages as { text: string }[]).filter((m) =>
      m.text.startsWith('订单与售后健康日报'),
    );

  it("reaches the managers' group once at its time, with the five numbers", async () => {
    const [report] = await eventually(managersGroup, (m) => m.length > 0, 20_000);
    const lines = (report?.text ?? '').split('\n');
    expect(lines[0]).toMatch(
      /^订单与售后健康日报（近 7 天，截至 \d+\/\d+ \d\d:\d\d）：(\d\/\d 项达标|暂无可计算的指标)$/,
    );
    for (const name of NAMES) expect(lines.some((l) => l.startsWith(`· ${name}：`))).toBe(true);
    expect(await managersGroup()).toHaveLength(1);
  });

  it('staff get the numbers when they ask 健康日报; 今日概况 is still the day summary', async () => {
    const ask = async () => {
      const r = await svc.post('/api/sandbox/messages', {
        user: 'sup1',
        role: 'staff',
        text: '@bot 健康日报',
        chat: 'g1',
      });
      return (r.json.replies as { text: string }[])[0]?.text ?? '';
    };
    // Two sign-offs yesterday, one with a photo: the rate is measured on them, and is at risk.
    const at = new Date(Date.now() - 24 * 3600_000);
    const signoffs: [string, string][] = [
      ['SF-H1', 'photo'],
      ['SF-H2', 'electronic'],
    ];
    for (const [trackingNo, signoffKind] of signoffs)
      await svc.db.prisma.logisticsEvent.create({
        data: { carrier: 'sf', trackingNo, at, description: '已签收', kind: 'signed', signoffKind },
      });
    const text = await ask();
    expect(text).toMatch(/^订单与售后健康日报（近 7 天，截至 \d+\/\d+ \d\d:\d\d）：0\/1 项达标\n/);
    expect(text).toContain(
      '· 物流状态可信率：50.0%（目标 ≥ 85%；2 次签收）✘ 风险\n  低于 70%：顾客对签收的信任正在坍塌',
    );
    for (const name of NAMES) expect(text).toContain(`· ${name}：`);
    const day = await svc.post('/api/sandbox/messages', {
      user: 'sup1',
      role: 'staff',
      text: '@bot 今日概况',
      chat: 'g1',
    });
    expect((day.json.replies as { text: string }[])[0]?.text).toMatch(/^今日工单概况/);
  });
});
