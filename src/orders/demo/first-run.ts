import path from 'node:path';
import type { Logger } from '../../lib/logger.ts';
import { createCustomerDirectory } from '../../store/customer-directory.repo.ts';
import type { Database } from '../../store/db.ts';
import { createOrderReader } from '../../store/orders.repo.ts';
import { importFile } from '../import-file.ts';
import { generateDemoData } from './generate.ts';
import { bindSandboxUsers } from './seed-sandbox.ts';
import { writeDemoFiles } from './write-files.ts';

/**
 * On the first start of an embedded install (empty order table), load the demo data set so the
 * sandbox can answer "我的订单到哪了" at once. Never runs against a database that already has orders.
 */
export async function loadDemoDataOnFirstRun(db: Database, dataDir: string, log: Logger): Promise<boolean> {
  const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Order"`);
  if ((rows[0]?.n ?? 0) > 0) return false;
  const data = generateDemoData({
    orders: 300,
    seed: 20261123,
    now: new Date(Math.floor(Date.now() / 60_000) * 60_000),
  });
  const files = await writeDemoFiles(data, path.join(dataDir, 'demo'), 'csv');
  for (const [kind, file] of [
    ['orders', files.orders],
    ['logistics', files.logistics],
  ] as const) {
    await importFile(db, kind, file);
  }
  const clock = { now: () => new Date() };
  const bound = await bindSandboxUsers(data, {
    customers: createCustomerDirectory(db.sql, clock),
    orders: createOrderReader(db.sql),
  });
  log.info(
    { orders: data.orders.length, sandbox: bound.map((b) => `${b.user}: ${b.orderNos.join(',')}`) },
    '首次启动：已导入演示订单（沙盒顾客 c1、c2 名下有订单）',
  );
  return true;
}
