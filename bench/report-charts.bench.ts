import { healthPicture, rootCausePicture } from '../src/app/report-charts.ts';
import { healthHeadline, healthRows } from '../src/domain/reports/health.ts';
import { type ProblemTicket, rootCauseMap } from '../src/domain/reports/root-cause.ts';
import type { BenchRow } from './run.ts';

const RENDERS = Number(process.env.BENCH_CHART_RENDERS ?? 30);
const PROBLEMS = ['damaged', 'quality', 'wrong_item', 'reship', 'safety'];

/** A busy week: 400 product-problem tickets over 25 goods, every problem and hour of the day. */
function busyWeek(): ProblemTicket[] {
  return Array.from({ length: 400 }, (_, i) => {
    const sku = `SKU-${String((i * 7) % 25).padStart(2, '0')}`;
    return {
      problem: PROBLEMS[i % PROBLEMS.length] ?? 'damaged',
      summary: '坏了',
      createdAt: new Date(Date.UTC(2026, 10, 24, (i * 5) % 24)),
      items: [{ sku, name: `测试商品${sku.slice(-2)} 加长的名字用来试截断` }],
    };
  });
}

const ms = (from: number) => performance.now() - from;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The managers' report pictures (app/report-charts.ts: ECharts → SVG → resvg PNG with the bundled font): the first
 * picture (loads ECharts), then steady-state render times and sizes of the heat map and the health card, and how
 * much the process grows over the renders (the daily push and 「@bot 根因周报」 draw them in the worker).
 */
export async function bench(): Promise<BenchRow[]> {
  const map = rootCauseMap(busyWeek());
  const rows = healthRows({
    syncDelayMedianSec: 45,
    syncOrders: 1863,
    credibility: 0.78,
    signed: 400,
    firstResponseMedianMin: 30,
    responded: 20,
    orderChanges: 0,
    consistency: 0.95,
    checkedOrders: 300,
  });
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const first = await rootCausePicture(map, '11/24 09:00 至 12/1 09:00');
  const cold = ms(t);
  const heat: number[] = [];
  const card: number[] = [];
  let heatBytes = Buffer.from(first?.png ?? '', 'base64').length;
  let cardBytes = 0;
  const rssAfterFirst = process.memoryUsage().rss;
  for (let i = 0; i < RENDERS; i++) {
    t = performance.now();
    const p = await rootCausePicture(map, '11/24 09:00 至 12/1 09:00');
    heat.push(ms(t));
    heatBytes = Buffer.from(p?.png ?? '', 'base64').length;
    t = performance.now();
    const h = await healthPicture(rows, healthHeadline(rows), '近 7 天，截至 12/1 09:00');
    card.push(ms(t));
    cardBytes = Buffer.from(h.png, 'base64').length;
  }
  const rssEnd = process.memoryUsage().rss;
  const mib = (b: number) => b / 2 ** 20;
  return [
    { name: 'first heat map (loads ECharts)', value: cold, unit: 'ms' },
    {
      name: 'heat map, 10 goods × 5 problems + 6 bands, median',
      value: median(heat),
      unit: 'ms',
      note: `${RENDERS} renders`,
    },
    { name: 'heat map PNG', value: heatBytes / 1024, unit: 'KiB', note: 'WeCom robot limit 2 MiB' },
    { name: 'health card, median', value: median(card), unit: 'ms', note: `${RENDERS} renders` },
    { name: 'health card PNG', value: cardBytes / 1024, unit: 'KiB' },
    { name: 'RSS growth, first picture', value: mib(rssAfterFirst - rss0), unit: 'MiB' },
    {
      name: 'RSS growth, next renders',
      value: mib(rssEnd - rssAfterFirst),
      unit: 'MiB',
      note: `${RENDERS * 2} pictures`,
    },
  ];
}
