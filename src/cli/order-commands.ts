import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { exportOrders } from '../app/exports.ts';
import { systemClock } from '../app/ports.ts';
import { healthMessage, healthReport, type ReportMessage, rootCauseMessage, rootCauseReport } from '../app/reports.ts';
import { badRequest, isCodedError } from '../domain/errors.ts';
import { ExportFilterSchema } from '../domain/orders/export.ts';
import { formatReconReport } from '../domain/orders/reconcile.ts';
import { credibilityReport } from '../domain/orders/signoff.ts';
import { ORDER_SOURCES, ORDER_STATUSES } from '../domain/orders/types.ts';
import { healthRows } from '../domain/reports/health.ts';
import { chinaTime, generateDemoData } from '../orders/demo/generate.ts';
import { bindSandboxUsers } from '../orders/demo/seed-sandbox.ts';
import { writeDemoFiles } from '../orders/demo/write-files.ts';
import { parseInstant } from '../orders/fields.ts';
import { type ImportKind, importFile, sizeHeapForBulkImport } from '../orders/import-file.ts';
import { formatImportReport, writeRejections } from '../orders/import-report.ts';
import { createProgress } from '../orders/progress.ts';
import { reconcileFile } from '../orders/reconcile-file.ts';
import { writeReconCsv } from '../orders/reconcile-out.ts';
import { resolveDatabaseTarget } from '../store/adapter.ts';
import { createAuditWriter } from '../store/audit.repo.ts';
import { createCustomerDirectory } from '../store/customer-directory.repo.ts';
import { type Database, openDatabase } from '../store/db.ts';
import { createExportStore } from '../store/exports.repo.ts';
import { createOrderReader, signoffCounts } from '../store/orders.repo.ts';
import { createReportSources } from '../store/reports.repo.ts';
import { loadConfigOrExit } from './load-config.ts';

/** Opens the configured database (PGlite under DATA_DIR or DATABASE_URL), migrated, for one command. */
async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const env = loadConfigOrExit();
  const db = await openDatabase(resolveDatabaseTarget(env.DATABASE_URL, path.join(env.DATA_DIR, 'pglite')));
  try {
    await db.migrate();
    return await fn(db);
  } finally {
    await db.close();
  }
}

function fail(err: unknown): never {
  process.stderr.write(`\n${isCodedError(err) ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

async function runImportCommand(kind: ImportKind, file: string, opts: { format?: string; errors?: string }) {
  sizeHeapForBulkImport(); // this process only imports
  await withDatabase(async (db) => {
    process.stderr.write(`${db.description}\n`);
    const progress = createProgress(kind === 'orders' ? '导入订单' : '导入物流');
    const report = await importFile(db, kind, file, { format: opts.format, onProgress: progress.update }).finally(() =>
      progress.stop(),
    );
    process.stdout.write(`${formatImportReport(kind, report)}\n`);
    if (opts.errors && report.rejected.length) {
      await writeRejections(opts.errors, report);
      process.stdout.write(`被拒绝的行已写入 ${opts.errors}\n`);
    }
    // Exit 1 when any row was rejected, so scripts notice; the good rows are stored either way.
    if (report.rejected.length + report.rejectedNotListed > 0) process.exitCode = 1;
  }).catch(fail);
}

function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('导入订单或物流事件（CSV 带表头，或 JSONL；可重复导入，不会重复写入）');
  for (const kind of ['orders', 'logistics'] as const) {
    cmd
      .command(`${kind} <file>`)
      .description(kind === 'orders' ? '导入订单（含商品、状态时间）' : '导入物流轨迹（含签收方式）')
      .addOption(new Option('--format <format>', '文件格式（默认按扩展名）').choices(['csv', 'jsonl']))
      .option('--errors <file>', '把被拒绝的行（行号 + 原因）写入此 CSV 文件')
      .action((file: string, opts: { format?: string; errors?: string }) => runImportCommand(kind, file, opts));
  }
}

interface DemoOpts {
  orders: string;
  seed: string;
  out: string;
  format: 'csv' | 'jsonl';
  now?: string;
  import: boolean;
}

async function runDemo(opts: DemoOpts): Promise<void> {
  const now = opts.now ? parseInstant(opts.now) : new Date(Math.floor(Date.now() / 60_000) * 60_000);
  if (!now) throw new Error(`--now「${opts.now}」不是有效时间`);
  const data = generateDemoData({ orders: Math.max(30, Number(opts.orders)), seed: Number(opts.seed), now });
  const files = await writeDemoFiles(data, opts.out, opts.format);
  process.stdout.write(
    `已生成 ${data.orders.length} 个订单、${data.logistics.length} 条物流事件（基准时间 ${chinaTime(now)}）：\n  ${files.orders}\n  ${files.logistics}\n`,
  );
  if (!opts.import) return;
  await withDatabase(async (db) => {
    for (const [kind, file] of [
      ['orders', files.orders],
      ['logistics', files.logistics],
    ] as const) {
      const report = await importFile(db, kind, file);
      process.stdout.write(`${formatImportReport(kind, report)}\n`);
    }
    const clock = { now: () => new Date() };
    const bound = await bindSandboxUsers(data, {
      customers: createCustomerDirectory(db.sql, clock),
      orders: createOrderReader(db.sql),
    });
    const c3 = data.orders.find((o) => !data.sandbox.some((s) => s.orderNos.includes(o.order_no)));
    process.stdout.write(
      `\n沙盒已就绪（aftersales serve 后打开 /sandbox）：\n${bound.map((b) => `  顾客 ${b.user} 名下订单：${b.orderNos.join('、')}`).join('\n')}\n` +
        `  试试：以顾客 c1 发送“我的订单到哪了”；以员工@群发送“查 ${data.orders[5]?.order_no ?? ''}”；` +
        `以顾客 c3 发送“${c3?.order_no ?? ''} 尾号${String(c3?.phone ?? '').slice(-4)}”。\n`,
    );
  });
}

export function registerOrderCommands(program: Command): void {
  registerImport(program);
  program
    .command('demo-data')
    .description('生成演示订单与物流数据（含各类异常、电子签收），默认同时导入并绑定沙盒顾客 c1、c2')
    .option('--orders <n>', '订单数量', '300')
    .option('--seed <s>', '随机种子（相同种子 + 相同 --now 生成相同数据）', '20261123')
    .option('--out <dir>', '文件输出目录', path.join('data', 'demo'))
    .addOption(new Option('--format <format>', '文件格式').choices(['csv', 'jsonl']).default('csv'))
    .option('--now <time>', '基准时间（默认当前时间），例：2026-11-23 10:00')
    .option('--no-import', '只写文件，不导入数据库')
    .action((opts: DemoOpts) => runDemo(opts).catch(fail));
  program
    .command('reconcile <export-file>')
    .description('用平台导出文件与我方订单对账（订单号 + 支付时间），列出单边订单与字段不一致')
    .addOption(new Option('--format <format>', '文件格式（默认按扩展名）').choices(['csv', 'jsonl']))
    .option('--source <sources>', '只把这些渠道的我方订单算作“仅我方有”，逗号分隔，例：tmall')
    .option('--out <file>', '把完整差异写入 CSV 文件')
    .action((file: string, opts: { format?: string; source?: string; out?: string }) =>
      withDatabase(async (db) => {
        const sources = opts.source ? opts.source.split(',').map((s) => s.trim()) : [];
        const result = await reconcileFile(db.sql, file, { format: opts.format, sources });
        process.stdout.write(`${formatReconReport(result.report)}\n`);
        for (const u of result.unreadable.slice(0, 20)) process.stdout.write(`无法读取：第 ${u.line} 行 ${u.error}\n`);
        if (opts.out) await writeReconCsv(opts.out, result.report);
        const r = result.report;
        if (r.onlyOurs.length + r.onlyTheirs.length + r.mismatches.length > 0) process.exitCode = 1;
      }).catch(fail),
    );
  program
    .command('export-orders')
    .description(
      '导出订单为 CSV（手机号、姓名、地址打码）；超过 100 个订单需要经理在聊天里批准（「批准导出 <申请号>」），批准后 24 小时内用 --request 下载',
    )
    .option('--since <date>', '下单日期起（含），YYYY-MM-DD，北京时间')
    .option('--until <date>', '下单日期止（含），YYYY-MM-DD')
    .addOption(new Option('--status <status>', '订单状态').choices([...ORDER_STATUSES]))
    .addOption(new Option('--source <source>', '订单来源').choices([...ORDER_SOURCES]))
    .option('--request <id>', '下载经理已批准的导出申请')
    .requiredOption('--by <name>', '你的名字（记入审计日志，经理审批时看到）')
    .requiredOption('--out <file>', '写入的 CSV 文件')
    .action(
      (opts: {
        since?: string;
        until?: string;
        status?: string;
        source?: string;
        request?: string;
        by: string;
        out: string;
      }) =>
        withDatabase(async (db) => {
          const parsed = ExportFilterSchema.safeParse({
            ...(opts.since ? { since: opts.since } : {}),
            ...(opts.until ? { until: opts.until } : {}),
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.source ? { source: opts.source } : {}),
          });
          if (!parsed.success)
            throw badRequest(parsed.error.issues.map((i) => `--${i.path.join('.')}：${i.message}`).join('；'));
          const requestId = opts.request === undefined ? undefined : Number(opts.request);
          if (requestId !== undefined && !(Number.isInteger(requestId) && requestId > 0))
            throw badRequest('--request 是导出申请号（正整数）');
          const deps = {
            store: createExportStore(db.sql),
            audit: createAuditWriter(db.sql, systemClock),
            clock: systemClock,
          };
          const out = await exportOrders(deps, {
            filter: parsed.data,
            by: `cli:${opts.by}`,
            ...(requestId !== undefined ? { requestId } : {}),
          });
          if (out.kind === 'pending') {
            process.stdout.write(`${out.message}\n`);
            process.exitCode = 3;
            return;
          }
          await writeFile(opts.out, out.csv);
          process.stdout.write(`已导出 ${out.count} 个订单到 ${opts.out}\n`);
        }).catch(fail),
    );
  const report = program.command('report').description('报表');
  /** `--png <file>`: the report's picture, as managers get it in chat, written to a file. */
  const writePicture = async (m: ReportMessage, file: string | undefined) => {
    if (!file) return;
    if (!m.picture) {
      process.stderr.write('这份报表没有图片（这一周没有能对上商品的问题工单）\n');
      return;
    }
    await writeFile(file, Buffer.from(m.picture.png, 'base64'));
    process.stderr.write(`图片已写入 ${file}\n`);
  };
  report
    .command('health')
    .description('健康日报：近 7 天的五项基线指标（同步延迟、签收可信率、首次响应、改单成功率、数据一致性）')
    .option('--png <file>', '同时把报表图片（和群里收到的一样）写入这个 PNG 文件')
    .action((opts: { png?: string }) =>
      withDatabase(async (db) => {
        const r = await healthReport(createReportSources(db.sql), new Date());
        process.stdout.write(`${r.text}\n`);
        if (opts.png) await writePicture(await healthMessage(r), opts.png);
        // Exit 1 when a measured number is below target, so a scheduled job can alert on it.
        if (healthRows(r.numbers).some((row) => row.verdict === 'below' || row.verdict === 'risk'))
          process.exitCode = 1;
      }).catch(fail),
    );
  report
    .command('root-cause')
    .description('售后根因周报：近 7 天商品问题工单按商品 × 问题 × 时段汇总，列出 TOP3 问题商品')
    .option('--png <file>', '同时把热力图（和群里收到的一样）写入这个 PNG 文件')
    .action((opts: { png?: string }) =>
      withDatabase(async (db) => {
        const r = await rootCauseReport(createReportSources(db.sql), new Date());
        process.stdout.write(`${r.text}\n`);
        if (opts.png) await writePicture(await rootCauseMessage(r), opts.png);
      }).catch(fail),
    );
  report
    .command('signoffs')
    .description('签收可信率：全部、按快递公司、按网点（低的在前），目标 ≥ 85%')
    .option('--days <n>', '统计最近多少天', '30')
    .action((opts: { days: string }) =>
      withDatabase(async (db) => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > 3650) throw badRequest('--days 必须是 1 到 3650 之间的整数');
        const { rates, text } = await credibilityReport((since) => signoffCounts(db.sql, since), days, new Date());
        process.stdout.write(`${text}\n`);
        // Exit 1 below target, so a scheduled job can alert on it.
        if (rates.overall.signed > 0 && rates.overall.belowTarget) process.exitCode = 1;
      }).catch(fail),
    );
}
