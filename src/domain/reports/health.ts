/**
 * The daily health report (product.md flow 9; seed 002's five baseline numbers): each number against its
 * healthy threshold and its risk threshold, in Chinese, for the managers' chat and the staff command 健康日报.
 * Pure: the numbers come from the database (store/reports.repo.ts).
 */

/** What the database measured over the report's window; a rate or median is undefined when nothing was measured. */
export interface HealthNumbers {
  /** Median seconds between 下单时间 (orderedAt) and the order reaching us (createdAt), over `syncOrders` orders. */
  syncDelayMedianSec?: number;
  syncOrders: number;
  /** Sign-offs with evidence (photo, OTP, locker) ÷ all sign-offs, over `signed` sign-offs. */
  credibility?: number;
  signed: number;
  /** Median minutes from a ticket's opening to its first response, over `responded` tickets. */
  firstResponseMedianMin?: number;
  responded: number;
  /** 修改/取消订单 tickets resolved without a reopen ÷ those finished (withdrawn ones left out), over `orderChanges`. */
  orderChangeSuccess?: number;
  orderChanges: number;
  /** Orders without an open cross-source conflict ÷ orders updated, over `checkedOrders`. */
  consistency?: number;
  checkedOrders: number;
}

export type HealthVerdict = 'ok' | 'below' | 'risk' | 'none';

interface Baseline {
  name: string;
  /** The number as read, e.g. "45 秒". */
  show: (n: HealthNumbers) => string | undefined;
  verdict: (n: HealthNumbers) => HealthVerdict;
  target: string;
  /** What the risk threshold means, from seed 002. */
  risk: string;
  /** What was measured ("近 7 天 1,863 单"), or why nothing was. */
  basis: (n: HealthNumbers) => string;
}

/** The seeds' health target for the first response (product.md, flows 3 and 9), in minutes. */
export const FIRST_RESPONSE_TARGET_MINS = 120;

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');

/** Higher is better: healthy at `ok` and above, risky below `risk`. */
const atLeast = (value: number | undefined, ok: number, risk: number): HealthVerdict =>
  value === undefined ? 'none' : value >= ok ? 'ok' : value < risk ? 'risk' : 'below';
/** Lower is better: healthy at `ok` and below, risky above `risk`. */
const atMost = (value: number | undefined, ok: number, risk: number): HealthVerdict =>
  value === undefined ? 'none' : value <= ok ? 'ok' : value > risk ? 'risk' : 'below';

function duration(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} 秒`;
  if (sec < 90 * 60) return `${Math.round(sec / 60)} 分钟`;
  if (sec < 48 * 3600) return `${(sec / 3600).toFixed(1)} 小时`;
  return `${(sec / 86_400).toFixed(1)} 天`;
}

const BASELINES: readonly Baseline[] = [
  {
    name: '订单状态同步延迟中位数',
    show: (n) => (n.syncDelayMedianSec === undefined ? undefined : duration(n.syncDelayMedianSec)),
    verdict: (n) => atMost(n.syncDelayMedianSec, 90, 300),
    target: '≤ 90 秒',
    risk: '超过 300 秒：支付回调链路可能有单点故障',
    basis: (n) => (n.syncOrders > 0 ? `${count(n.syncOrders)} 单` : '没有带下单时间的新订单'),
  },
  {
    name: '物流状态可信率',
    show: (n) => (n.credibility === undefined ? undefined : pct(n.credibility)),
    verdict: (n) => atLeast(n.credibility, 0.85, 0.7),
    target: '≥ 85%',
    risk: '低于 70%：顾客对签收的信任正在坍塌',
    basis: (n) => (n.signed > 0 ? `${count(n.signed)} 次签收` : '没有签收记录'),
  },
  {
    name: '售后首次响应时间中位数',
    show: (n) => (n.firstResponseMedianMin === undefined ? undefined : duration(n.firstResponseMedianMin * 60)),
    verdict: (n) => atMost(n.firstResponseMedianMin, FIRST_RESPONSE_TARGET_MINS, 480),
    target: `≤ ${FIRST_RESPONSE_TARGET_MINS} 分钟`,
    risk: '超过 480 分钟：流程里有人工卡点',
    basis: (n) => (n.responded > 0 ? `${count(n.responded)} 张工单` : '没有首次响应的工单'),
  },
  {
    name: '订单修改成功率',
    show: (n) => (n.orderChangeSuccess === undefined ? undefined : pct(n.orderChangeSuccess)),
    verdict: (n) => atLeast(n.orderChangeSuccess, 0.992, 0.98),
    target: '≥ 99.2%',
    risk: '低于 98%：库存、价格或地址校验可能过严',
    basis: (n) =>
      n.orderChanges > 0 ? `${count(n.orderChanges)} 张修改/取消订单工单` : '没有处理完的修改/取消订单工单',
  },
  {
    name: '跨系统数据一致性',
    show: (n) => (n.consistency === undefined ? undefined : pct(n.consistency)),
    verdict: (n) => atLeast(n.consistency, 1, 1),
    target: '100%',
    risk: '低于 100%：可能有静默的数据丢失',
    basis: (n) => (n.checkedOrders > 0 ? `${count(n.checkedOrders)} 单` : '没有更新过的订单'),
  },
];

const MARK: Record<HealthVerdict, string> = { ok: '✔', below: '⚠ 未达标', risk: '✘ 风险', none: '—' };

/** One number of the report, ready to show (chat line or dashboard row). */
export interface HealthRow {
  name: string;
  /** The number as read ("45 秒", "91.0%"); undefined when nothing was measured. */
  value?: string;
  target: string;
  verdict: HealthVerdict;
  /** What it was measured on ("1,863 单"), or why nothing was. */
  basis: string;
  /** What seed 002 says a number below target points at (shown when it is). */
  risk: string;
}

/** The five rows of the report, in BASELINES order. */
export function healthRows(n: HealthNumbers): HealthRow[] {
  return BASELINES.map((b) => {
    const value = b.show(n);
    return {
      name: b.name,
      ...(value !== undefined ? { value } : {}),
      target: b.target,
      verdict: b.verdict(n),
      basis: b.basis(n),
      risk: b.risk,
    };
  });
}

/** "3/4 项达标", or that nothing could be measured. */
export function healthHeadline(rows: readonly HealthRow[]): string {
  const measured = rows.filter((r) => r.verdict !== 'none').length;
  const healthy = rows.filter((r) => r.verdict === 'ok').length;
  return measured === 0 ? '暂无可计算的指标' : `${healthy}/${measured} 项达标`;
}

/**
 * The report as managers read it: a headline (how many numbers are healthy), then one line per number with
 * its target, what it was measured on, and — below target — what seed 002 says it points at.
 */
export function formatHealthReport(n: HealthNumbers, window: { label: string }): string {
  const rows = healthRows(n);
  const lines = rows.map((r) => {
    const head = `· ${r.name}：${r.value ?? '暂无数据'}（目标 ${r.target}；${r.basis}）${MARK[r.verdict]}`;
    return r.verdict === 'below' || r.verdict === 'risk' ? `${head}\n  ${r.risk}` : head;
  });
  return [`订单与售后健康日报（${window.label}）：${healthHeadline(rows)}`, ...lines].join('\n');
}
