import type { EChartsOption } from 'echarts';
import type { OutboundPicture } from '../channels/channel.ts';
import type { HealthRow, HealthVerdict } from '../domain/reports/health.ts';
import { BANDS, type RootCauseMap } from '../domain/reports/root-cause.ts';
import { ticketProblemZh } from '../domain/tickets/lifecycle.ts';
import { CHART_FONT, chartPng } from '../lib/charts.ts';

/**
 * The pictures that go with the managers' reports in chat (product.md flow 9: "both as a chat message with a
 * picture"): the week's root-cause heat map and the day's health card. The text of each report reads whole
 * without its picture; the picture is for reading at a glance.
 */

/** SKUs shown in the heat map: the worst ones; the text report names the TOP3. */
const HEAT_ROWS = 10;
const CELL = 76;
const ROW_H = 40;
const LABEL_W = 240;
const GAP = 48;
const HEAT_COLOURS = ['#fde6d2', '#fc8d59', '#b30000'];

const picture = (png: Buffer, title: string): OutboundPicture => ({ png: png.toString('base64'), title });

/** Label width in CJK characters: about what LABEL_W holds at the axis font size. */
const LABEL_CHARS = 16;
/** Display width of a text in CJK characters (Latin letters and digits are about half as wide). */
const displayWidth = (text: string) => [...text].reduce((w, c) => w + (c.charCodeAt(0) < 0x2e80 ? 0.55 : 1), 0);

/** "陶瓷马克杯（CUP-01）": the name clipped to fit the label column; the SKU always whole. */
function skuLabel(name: string, sku: string): string {
  const room = LABEL_CHARS - displayWidth(`（${sku}）`);
  const chars = [...name];
  while (chars.length > 1 && displayWidth(chars.join('')) > room) chars.pop();
  const clipped = chars.join('') === name ? name : `${chars.slice(0, -1).join('')}…`;
  return `${clipped}（${sku}）`;
}

/** The heat map's chart option: the worst SKUs by problem (left) and by band of the day (right). */
export function rootCauseOption(
  map: RootCauseMap,
  label: string,
): { option: EChartsOption; width: number; height: number } {
  const rows = map.rows.slice(0, HEAT_ROWS);
  const problemTotals = new Map<string, number>();
  for (const r of rows)
    for (const [p, n] of Object.entries(r.byProblem)) problemTotals.set(p, (problemTotals.get(p) ?? 0) + n);
  const problems = [...problemTotals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([p]) => p);
  const byProblem = rows.flatMap((r, y) =>
    problems.map((p, x) => [x, y, r.byProblem[p] ?? 0]).filter(([, , n]) => (n ?? 0) > 0),
  );
  const byBand = rows.flatMap((r, y) => r.byBand.map((n, x) => [x, y, n]).filter(([, , n]) => (n ?? 0) > 0));
  const max = Math.max(1, ...[...byProblem, ...byBand].map(([, , n]) => n ?? 0));
  const top = 96;
  const heightOfGrid = Math.max(1, rows.length) * ROW_H;
  const leftW = Math.max(2, problems.length) * CELL;
  const rightW = BANDS.length * CELL;
  const width = LABEL_W + leftW + GAP + rightW + 24;
  const height = top + heightOfGrid + 64;
  const skus = rows.map((r) => skuLabel(r.name, r.sku));
  const axisLabel = { fontFamily: CHART_FONT, fontSize: 13, color: '#333' };
  const option: EChartsOption = {
    title: {
      text: '售后根因热力图',
      subtext: `${label} · 商品问题工单 ${map.tickets} 张${rows.length < map.rows.length ? ` · 前 ${rows.length} 个商品` : ''}`,
      left: 'center',
      textStyle: { fontFamily: CHART_FONT, fontSize: 20 },
      subtextStyle: { fontFamily: CHART_FONT, fontSize: 13 },
    },
    grid: [
      { left: LABEL_W, top, width: leftW, height: heightOfGrid },
      { left: LABEL_W + leftW + GAP, top, width: rightW, height: heightOfGrid },
    ],
    xAxis: [
      {
        type: 'category',
        gridIndex: 0,
        data: problems.map((p) => ticketProblemZh(p)),
        axisLabel: { ...axisLabel, interval: 0 },
        name: '问题',
        nameLocation: 'middle',
        nameGap: 30,
        splitArea: { show: true },
      },
      {
        type: 'category',
        gridIndex: 1,
        data: [...BANDS],
        axisLabel: { ...axisLabel, interval: 0 },
        name: '时段（北京时间）',
        nameLocation: 'middle',
        nameGap: 30,
        splitArea: { show: true },
      },
    ],
    yAxis: [
      { type: 'category', gridIndex: 0, data: skus, inverse: true, axisLabel },
      { type: 'category', gridIndex: 1, data: skus, inverse: true, axisLabel: { show: false } },
    ],
    visualMap: { min: 0, max, show: false, seriesIndex: [0, 1], inRange: { color: HEAT_COLOURS } },
    series: [
      { type: 'heatmap', xAxisIndex: 0, yAxisIndex: 0, data: byProblem, label: { show: true, fontFamily: CHART_FONT } },
      { type: 'heatmap', xAxisIndex: 1, yAxisIndex: 1, data: byBand, label: { show: true, fontFamily: CHART_FONT } },
    ],
  };
  return { option, width, height };
}

/** The week's heat map as a picture; undefined for a week without product problems (the text says so). */
export async function rootCausePicture(map: RootCauseMap, label: string): Promise<OutboundPicture | undefined> {
  if (map.rows.length === 0) return undefined;
  const { option, width, height } = rootCauseOption(map, label);
  return picture(await chartPng(option, { width, height }), '售后根因热力图');
}

const VERDICT: Record<HealthVerdict, { text: string; colour: string }> = {
  ok: { text: '达标', colour: '#2e7d32' },
  below: { text: '未达标', colour: '#ef6c00' },
  risk: { text: '风险', colour: '#c62828' },
  none: { text: '暂无数据', colour: '#9e9e9e' },
};

const HEALTH_W = 760;
const HEALTH_ROW_H = 64;
const HEALTH_TOP = 92;

/** The health card's chart option: one line per number — its value, target and verdict in the verdict's colour. */
export function healthOption(
  rows: readonly HealthRow[],
  headline: string,
  label: string,
): { option: EChartsOption; width: number; height: number } {
  const text = (x: number, y: number, t: string, style: Record<string, unknown> = {}) => ({
    type: 'text' as const,
    x,
    y,
    style: { text: t, fontFamily: CHART_FONT, fontSize: 14, fill: '#333', ...style },
  });
  const graphic = rows.flatMap((r, i) => {
    const y = HEALTH_TOP + i * HEALTH_ROW_H;
    const v = VERDICT[r.verdict];
    return [
      {
        type: 'rect' as const,
        shape: { x: 16, y, width: HEALTH_W - 32, height: HEALTH_ROW_H - 8, r: 6 },
        style: { fill: i % 2 ? '#ffffff' : '#f5f6f8' },
      },
      { type: 'rect' as const, shape: { x: 16, y, width: 6, height: HEALTH_ROW_H - 8 }, style: { fill: v.colour } },
      text(36, y + 10, r.name, { fontSize: 15, fontWeight: 'bold' }),
      text(36, y + 34, r.basis, { fontSize: 12, fill: '#777' }),
      text(330, y + 14, r.value ?? '—', { fontSize: 22, fontWeight: 'bold', fill: v.colour }),
      text(470, y + 20, `目标 ${r.target}`, { fill: '#555' }),
      text(640, y + 20, v.text, { fill: v.colour, fontWeight: 'bold' }),
    ];
  });
  const height = HEALTH_TOP + rows.length * HEALTH_ROW_H + 16;
  const option: EChartsOption = {
    title: {
      text: `订单健康日报 · ${headline}`,
      subtext: label,
      left: 'center',
      textStyle: { fontFamily: CHART_FONT, fontSize: 20 },
      subtextStyle: { fontFamily: CHART_FONT, fontSize: 13 },
    },
    graphic,
  };
  return { option, width: HEALTH_W, height };
}

/** The day's health card as a picture. */
export async function healthPicture(
  rows: readonly HealthRow[],
  headline: string,
  label: string,
): Promise<OutboundPicture> {
  const { option, width, height } = healthOption(rows, headline, label);
  return picture(await chartPng(option, { width, height }), '订单健康日报');
}
