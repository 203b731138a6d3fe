/**
 * The weekly after-sales root-cause report (product.md flow 9; seed 002: 按商品 SKU、问题类型、发生时段三维聚合,
 * 直接定位 TOP3 缺陷商品): product problems of the week by SKU × problem × time of day, as a chat message. Pure.
 */
import { goodsScore } from '../orders/goods.ts';
import { ticketProblemZh } from '../tickets/lifecycle.ts';

/** One product-problem ticket of the week, with its order's goods. */
export interface ProblemTicket {
  problem: string;
  /** What the customer wrote first (the ticket's summary): which of several goods it is about. */
  summary: string;
  createdAt: Date;
  items: readonly { sku: string; name: string }[];
  /** The order was the customer's likeliest, not named (the ticket's flags.orderGuessed). */
  orderGuessed?: boolean;
}

/** Four-hour bands of the day in China, the heat map's time axis. */
export const BANDS = ['0–4 点', '4–8 点', '8–12 点', '12–16 点', '16–20 点', '20–24 点'] as const;
const bandOf = (at: Date) => Math.floor(((at.getUTCHours() + 8) % 24) / 4);

export interface SkuRow {
  sku: string;
  name: string;
  total: number;
  byProblem: Record<string, number>;
  byBand: number[];
}

export interface RootCauseMap {
  tickets: number;
  /** Tickets with no goods to blame: no order, or a guessed one whose goods their words do not name. */
  unattributed: number;
  /** Worst first: most tickets, then SKU. */
  rows: SkuRow[];
  byBand: number[];
}

/**
 * Which goods of the order a ticket blames: the one its words name best (「杯子碎了」 in an order of a cup and a
 * plate), or the only one; all of them when the words name none — the ticket counts once for each. An order the
 * bot only guessed blames nothing its words do not name (「衣服掉色」 guessed onto an order of tea).
 */
function blamed(t: ProblemTicket): { sku: string; name: string }[] {
  const scored = t.items.map((i) => ({ i, score: goodsScore(t.summary, [i.name]) }));
  const best = Math.max(0, ...scored.map((s) => s.score));
  if (best > 0) return scored.filter((s) => s.score === best).map((s) => s.i);
  return t.orderGuessed ? [] : [...t.items];
}

/** The heat map: each SKU's tickets by problem and by band of the day. */
export function rootCauseMap(tickets: readonly ProblemTicket[]): RootCauseMap {
  const rows = new Map<string, SkuRow>();
  const byBand = BANDS.map(() => 0);
  let unattributed = 0;
  for (const t of tickets) {
    const band = bandOf(t.createdAt);
    byBand[band] = (byBand[band] ?? 0) + 1;
    const goods = blamed(t);
    if (goods.length === 0) unattributed++;
    for (const g of goods) {
      const row = rows.get(g.sku) ?? { sku: g.sku, name: g.name, total: 0, byProblem: {}, byBand: BANDS.map(() => 0) };
      row.total++;
      row.byProblem[t.problem] = (row.byProblem[t.problem] ?? 0) + 1;
      row.byBand[band] = (row.byBand[band] ?? 0) + 1;
      rows.set(g.sku, row);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.total - a.total || a.sku.localeCompare(b.sku));
  return { tickets: tickets.length, unattributed, rows: sorted, byBand };
}

/** The band holding the most of `counts`, when one clearly does (at least half, and at least 2). */
function peakBand(counts: readonly number[]): string | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(...counts);
  const at = counts.indexOf(max);
  return max >= 2 && max * 2 >= total ? BANDS[at] : undefined;
}

/** The report as managers read it: the week's count, the TOP3 goods with what goes wrong and when, then the day. */
export function formatRootCause(map: RootCauseMap, window: { label: string }, top = 3): string {
  if (map.tickets === 0)
    return `售后根因周报（${window.label}）：这一周没有商品问题工单（破损、质量、发错、少件、安全）。`;
  const lines = [`售后根因周报（${window.label}）：商品问题工单 ${map.tickets} 张`];
  if (map.rows.length > 0) lines.push(`TOP${top} 问题商品：`);
  map.rows.slice(0, top).forEach((r, i) => {
    const problems = Object.entries(r.byProblem)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([p, n]) => `${ticketProblemZh(p)} ${n}`)
      .join('、');
    const peak = peakBand(r.byBand);
    lines.push(`${i + 1}. ${r.name}（${r.sku}）${r.total} 张：${problems}${peak ? `；多在 ${peak}` : ''}`);
  });
  lines.push(`按时段：${BANDS.map((b, i) => `${b} ${map.byBand[i] ?? 0}`).join(' · ')}`);
  if (map.unattributed > 0)
    lines.push(`另有 ${map.unattributed} 张对不上具体商品（没有订单，或订单是按最近一单推测的），未计入商品。`);
  lines.push('一单多件、顾客没说是哪件的，这张工单算到每件商品上。');
  return lines.join('\n');
}
