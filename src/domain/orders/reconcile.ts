/**
 * Reconciliation (seed 002, 单点爆破): join a platform export with our orders on order no + payment time
 * (to the second) and list what is only on one side and which fields disagree. Pure: both sides come in
 * as plain rows.
 */

export interface ReconRow {
  orderNo: string;
  /** Line in the export file, for the report. */
  line?: number;
  paidAt?: Date;
  amountCents?: number;
  skus?: string[];
  buyerId?: string;
}

export type ReconField = 'paidAt' | 'amountCents' | 'skus' | 'buyerId';

export const FIELD_LABEL: Record<ReconField, string> = {
  paidAt: '支付时间',
  amountCents: '实付金额',
  skus: '商品SKU',
  buyerId: '买家ID',
};

export interface ReconMismatch {
  orderNo: string;
  line?: number;
  field: ReconField;
  ours: string;
  theirs: string;
}

export interface ReconReport {
  compared: number;
  matched: number;
  onlyOurs: ReconRow[];
  onlyTheirs: ReconRow[];
  mismatches: ReconMismatch[];
}

const secondOf = (d: Date | undefined) => (d ? Math.floor(d.getTime() / 1000) : undefined);

function show(field: ReconField, row: ReconRow): string {
  switch (field) {
    case 'paidAt':
      return row.paidAt ? row.paidAt.toISOString().replace('.000Z', 'Z') : '（空）';
    case 'amountCents':
      return row.amountCents === undefined ? '（空）' : `¥${(row.amountCents / 100).toFixed(2)}`;
    case 'skus':
      return row.skus?.length ? [...row.skus].sort().join(',') : '（空）';
    case 'buyerId':
      return row.buyerId ?? '（空）';
  }
}

function differs(field: ReconField, a: ReconRow, b: ReconRow): boolean {
  switch (field) {
    case 'paidAt':
      return secondOf(a.paidAt) !== secondOf(b.paidAt);
    case 'amountCents':
      return a.amountCents !== undefined && b.amountCents !== undefined && a.amountCents !== b.amountCents;
    case 'skus':
      return a.skus !== undefined && b.skus !== undefined && show('skus', a) !== show('skus', b);
    case 'buyerId':
      return a.buyerId !== undefined && b.buyerId !== undefined && a.buyerId !== b.buyerId;
  }
}

const FIELDS: ReconField[] = ['paidAt', 'amountCents', 'skus', 'buyerId'];

/**
 * Compare both sides. A row present on both sides with a different payment time is reported as a
 * `paidAt` mismatch (more useful than listing it twice as "only ours" and "only theirs"); a field missing
 * on either side is not compared, except the payment time, which is half of the key.
 */
export function reconcile(ours: Iterable<ReconRow>, theirs: Iterable<ReconRow>): ReconReport {
  const mine = new Map<string, ReconRow>();
  for (const r of ours) mine.set(r.orderNo, r);
  const report: ReconReport = { compared: 0, matched: 0, onlyOurs: [], onlyTheirs: [], mismatches: [] };
  const seen = new Set<string>();
  for (const t of theirs) {
    report.compared += 1;
    if (seen.has(t.orderNo)) continue;
    seen.add(t.orderNo);
    const o = mine.get(t.orderNo);
    if (!o) {
      report.onlyTheirs.push(t);
      continue;
    }
    const diffs = FIELDS.filter((f) => differs(f, o, t));
    if (diffs.length === 0) report.matched += 1;
    for (const field of diffs) {
      report.mismatches.push({ orderNo: t.orderNo, line: t.line, field, ours: show(field, o), theirs: show(field, t) });
    }
  }
  for (const [orderNo, o] of mine) if (!seen.has(orderNo)) report.onlyOurs.push(o);
  return report;
}

/** The report in Chinese, at most `limit` lines per section. */
export function formatReconReport(report: ReconReport, limit = 50): string {
  const lines = [
    `对账完成：平台导出 ${report.compared} 行，完全一致 ${report.matched} 单；` +
      `仅平台有 ${report.onlyTheirs.length} 单，仅我方有 ${report.onlyOurs.length} 单，字段不一致 ${report.mismatches.length} 处。`,
  ];
  const section = <T>(title: string, rows: T[], fmt: (r: T) => string) => {
    if (rows.length === 0) return;
    lines.push('', `${title}（${rows.length}）：`, ...rows.slice(0, limit).map((r) => `  ${fmt(r)}`));
    if (rows.length > limit) lines.push(`  ……另有 ${rows.length - limit} 条（用 --out 导出全部）`);
  };
  const at = (r: ReconRow) => (r.paidAt ? ` 支付 ${show('paidAt', r)}` : '');
  section(
    '仅平台导出中有（可能漏单：检查支付回调是否成功、是否重试）',
    report.onlyTheirs,
    (r) => `${r.line ? `第 ${r.line} 行 ` : ''}${r.orderNo}${at(r)}`,
  );
  section(
    '仅我方系统有（平台无此单：检查是否测试单、是否已在平台关闭）',
    report.onlyOurs,
    (r) => `${r.orderNo}${at(r)}`,
  );
  section(
    '字段不一致',
    report.mismatches,
    (m) => `${m.orderNo} ${FIELD_LABEL[m.field]}：我方 ${m.ours} / 平台 ${m.theirs}`,
  );
  return lines.join('\n');
}
