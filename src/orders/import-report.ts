import { csvLine, writeLines } from './demo/write-files.ts';
import type { ImportReport } from './import-runner.ts';

const KIND_LABEL = { orders: '订单', logistics: '物流事件' } as const;

/** The import report in Chinese: counts, speed, and the first rejected rows with line numbers and reasons. */
export function formatImportReport(kind: 'orders' | 'logistics', report: ImportReport, listed = 20): string {
  const rejected = report.rejected.length + report.rejectedNotListed;
  const seconds = Math.max(report.ms, 1) / 1000;
  const lines = [
    `${KIND_LABEL[kind]}导入完成：共 ${report.total} 行，新增 ${report.created}，更新 ${report.updated}，` +
      `未变化 ${report.unchanged}，拒绝 ${rejected}（用时 ${seconds.toFixed(1)} 秒，${Math.round(report.total / seconds)} 行/秒）。`,
  ];
  if (report.unlinked > 0) {
    lines.push(`其中 ${report.unlinked} 条物流事件暂未匹配到订单，导入对应订单后会自动关联。`);
  }
  if (rejected > 0) {
    lines.push('', '被拒绝的行（其余行已正常写入）：');
    for (const r of report.rejected.slice(0, listed)) lines.push(`  第 ${r.line} 行：${r.errors.join('；')}`);
    if (rejected > listed) lines.push(`  ……另有 ${rejected - listed} 行，用 --errors <文件> 导出全部。`);
  }
  return lines.join('\n');
}

/** All rejected rows as CSV (line, reasons), for fixing and re-importing. */
export async function writeRejections(file: string, report: ImportReport): Promise<void> {
  const cols = ['line', 'errors'];
  await writeLines(file, [
    `${cols.join(',')}\n`,
    ...report.rejected.map((r) => csvLine(cols, { line: r.line, errors: r.errors.join('；') })),
  ]);
}
