import { FIELD_LABEL, type ReconReport } from '../domain/orders/reconcile.ts';
import { csvLine, writeLines } from './demo/write-files.ts';

const COLUMNS = ['类型', '订单号', '导出行号', '字段', '我方', '平台'];

/** Every difference as one CSV row, for whoever fixes the data (the article's 逐单检查). */
export async function writeReconCsv(file: string, report: ReconReport): Promise<void> {
  const rows: Record<string, unknown>[] = [
    ...report.onlyTheirs.map((r) => ({ 类型: '仅平台有', 订单号: r.orderNo, 导出行号: r.line })),
    ...report.onlyOurs.map((r) => ({ 类型: '仅我方有', 订单号: r.orderNo })),
    ...report.mismatches.map((m) => ({
      类型: '字段不一致',
      订单号: m.orderNo,
      导出行号: m.line,
      字段: FIELD_LABEL[m.field],
      我方: m.ours,
      平台: m.theirs,
    })),
  ];
  await writeLines(file, [`${COLUMNS.join(',')}\n`, ...rows.map((r) => csvLine(COLUMNS, r))]);
}
