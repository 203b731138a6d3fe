/**
 * Text rendering of an evaluation report for people (Chinese headings, fixed-width tables).
 */
import type { EvalReport } from '../nlu/evaluate.ts';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
const lpad = (s: string, n: number) => ' '.repeat(Math.max(0, n - [...s].length)) + s;

function perLabelTable(r: EvalReport): string[] {
  const ids = Object.keys(r.perLabel).sort();
  const w = Math.max(8, ...ids.map((id) => id.length));
  const lines = [`${pad('标签', w)}  ${lpad('样本', 5)}  ${lpad('精确率', 7)}  ${lpad('召回率', 7)}  ${lpad('F1', 7)}`];
  for (const id of ids) {
    const s = r.perLabel[id];
    if (!s) continue;
    lines.push(
      `${pad(id, w)}  ${lpad(String(s.support), 5)}  ${lpad(pct(s.precision), 7)}  ${lpad(pct(s.recall), 7)}  ${lpad(pct(s.f1), 7)}`,
    );
  }
  return lines;
}

/** Confusion of primaries, listed as the off-diagonal cells, largest first (a 24×24 grid is unreadable in a terminal). */
function confusionLines(r: EvalReport, limit: number): string[] {
  const cells: Array<[string, string, number]> = [];
  for (const [expected, row] of Object.entries(r.confusion)) {
    for (const [predicted, n] of Object.entries(row)) if (predicted !== expected) cells.push([expected, predicted, n]);
  }
  cells.sort((a, b) => b[2] - a[2] || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  if (cells.length === 0) return ['  （没有混淆）'];
  return cells.slice(0, limit).map(([e, p, n]) => `  ${lpad(String(n), 3)}  ${e} → ${p}`);
}

/** The whole report as printed by `aftersales eval`. */
export function formatEvalReport(r: EvalReport, opts: { errors?: number } = {}): string {
  const out = [
    `样本数：${r.n}`,
    `主意图准确率：${pct(r.primaryAccuracy)}`,
    `标签集合 micro-F1：${pct(r.microF1)}（精确率 ${pct(r.microPrecision)}，召回率 ${pct(r.microRecall)}）`,
    `实体 F1：${pct(r.entityF1)}（${r.entityN} 个标注实体；精确率 ${pct(r.entityPrecision)}，召回率 ${pct(r.entityRecall)}）`,
    '',
    '各标签精确率 / 召回率：',
    ...perLabelTable(r),
    '',
    '主意图混淆（期望 → 预测，次数）：',
    ...confusionLines(r, 40),
  ];
  const shown = opts.errors ?? 0;
  if (shown > 0 && r.errors.length > 0) {
    out.push('', `判错的样例（前 ${Math.min(shown, r.errors.length)} 条）：`);
    for (const e of r.errors.slice(0, shown)) out.push(`  [${e.expected} → ${e.predicted}] ${e.text}`);
  }
  return `${out.join('\n')}\n`;
}
