import { describe, expect, it } from 'vitest';
import { reportDue } from '../../../src/app/reports.ts';
import { formatHealthReport, type HealthNumbers, healthRows } from '../../../src/domain/reports/health.ts';

const none: HealthNumbers = { syncOrders: 0, signed: 0, responded: 0, orderChanges: 0, checkedOrders: 0 };
const healthy: HealthNumbers = {
  syncDelayMedianSec: 45,
  syncOrders: 1863,
  credibility: 0.91,
  signed: 1200,
  firstResponseMedianMin: 35,
  responded: 80,
  orderChangeSuccess: 1,
  orderChanges: 40,
  consistency: 1,
  checkedOrders: 1863,
};

describe('health report: seed 002 baselines, each against its target and its risk threshold', () => {
  it.each([
    ['sync delay at the target', { syncDelayMedianSec: 90 }, 0, 'ok'],
    ['sync delay above the target', { syncDelayMedianSec: 91 }, 0, 'below'],
    ['sync delay above 300 s', { syncDelayMedianSec: 301 }, 0, 'risk'],
    ['credibility at 85 %', { credibility: 0.85 }, 1, 'ok'],
    ['credibility at 75 %', { credibility: 0.75 }, 1, 'below'],
    ['credibility under 70 %', { credibility: 0.69 }, 1, 'risk'],
    ['first response 120 min', { firstResponseMedianMin: 120 }, 2, 'ok'],
    ['first response 200 min', { firstResponseMedianMin: 200 }, 2, 'below'],
    ['first response 481 min', { firstResponseMedianMin: 481 }, 2, 'risk'],
    ['order changes 99.2 %', { orderChangeSuccess: 0.992 }, 3, 'ok'],
    ['order changes 98.5 %', { orderChangeSuccess: 0.985 }, 3, 'below'],
    ['order changes 97 %', { orderChangeSuccess: 0.97 }, 3, 'risk'],
    ['consistency 100 %', { consistency: 1 }, 4, 'ok'],
    ['consistency 99.9 %', { consistency: 0.999 }, 4, 'risk'],
  ] as const)('%s', (_name, numbers, index, verdict) => {
    expect(healthRows({ ...none, ...numbers })[index]?.verdict).toBe(verdict);
  });

  it('a healthy week reads 5/5 with the basis of each number', () => {
    const text = formatHealthReport(healthy, { label: '近 7 天，截至 12/1 09:00' });
    expect(text.split('\n')).toEqual([
      '订单与售后健康日报（近 7 天，截至 12/1 09:00）：5/5 项达标',
      '· 订单状态同步延迟中位数：45 秒（目标 ≤ 90 秒；1,863 单）✔',
      '· 物流状态可信率：91.0%（目标 ≥ 85%；1,200 次签收）✔',
      '· 售后首次响应时间中位数：35 分钟（目标 ≤ 120 分钟；80 张工单）✔',
      '· 订单修改成功率：100.0%（目标 ≥ 99.2%；40 张修改/取消订单工单）✔',
      '· 跨系统数据一致性：100.0%（目标 100%；1,863 单）✔',
    ]);
  });

  it('a number below target says what seed 002 says it points at; one not measured says why', () => {
    const text = formatHealthReport({ ...none, credibility: 0.627, signed: 67 }, { label: '近 7 天' });
    expect(text).toContain('：0/1 项达标');
    expect(text).toContain(
      '· 物流状态可信率：62.7%（目标 ≥ 85%；67 次签收）✘ 风险\n  低于 70%：顾客对签收的信任正在坍塌',
    );
    expect(text).toContain('· 售后首次响应时间中位数：暂无数据（目标 ≤ 120 分钟；没有首次响应的工单）—');
    expect(formatHealthReport(none, { label: '近 7 天' })).toContain('暂无可计算的指标');
  });
});

describe('when the daily report is due (China time)', () => {
  it.each([
    ['08:59 China', '2026-12-01T00:59:00Z', undefined],
    ['09:00 China (a Tuesday)', '2026-12-01T01:00:00Z', { day: '2026-12-01', weekday: 2 }],
    ['10:59 China', '2026-12-01T02:59:00Z', { day: '2026-12-01', weekday: 2 }],
    ['11:00 China: too late, wait for tomorrow', '2026-12-01T03:00:00Z', undefined],
    ['00:30 China is already the next day there', '2026-11-30T16:30:00Z', undefined],
  ])('%s', (_name, at, due) => {
    expect(reportDue('09:00', new Date(at))).toEqual(due);
  });

  it('a report at 23:30 China is due that evening, a Monday there', () => {
    expect(reportDue('23:30', new Date('2026-11-30T15:45:00Z'))).toEqual({ day: '2026-11-30', weekday: 1 });
  });
});
