import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { dryRun, type RuleFacts, rulesFromFile } from '../domain/tickets/rules.ts';
import { resolveDatabaseTarget } from '../store/adapter.ts';
import { openDatabase } from '../store/db.ts';
import { seedAndLoadTicketConfig } from '../store/seed-tickets.ts';
import { loadConfigOrExit } from './load-config.ts';

/** `aftersales rules dry-run`: replay rules against past tickets and print what they would have done. */
export function registerTicketCommands(program: Command): void {
  const rules = program.command('rules').description('工单规则');
  rules
    .command('dry-run')
    .description('用历史工单回放规则，打印每条规则会命中多少、做什么（不修改任何数据）')
    .option('--file <rules.json>', '要试的规则文件（默认：数据库中的规则）')
    .option('--rule <id>', '只回放这一条规则')
    .option('--limit <n>', '最多回放多少张历史工单', '5000')
    .action(async (opts: { file?: string; rule?: string; limit: string }) => {
      const env = loadConfigOrExit();
      const db = await openDatabase(resolveDatabaseTarget(env.DATABASE_URL, path.join(env.DATA_DIR, 'pglite')));
      try {
        await db.migrate();
        const list = opts.file
          ? rulesFromFile(JSON.parse(await readFile(opts.file, 'utf8')))
          : (await seedAndLoadTicketConfig(db.prisma)).rules;
        const chosen = opts.rule ? list.filter((r) => r.id === opts.rule) : list;
        if (chosen.length === 0) throw new Error(`没有找到规则 ${opts.rule ?? ''}`);
        const tickets = await db.prisma.ticket.findMany({
          orderBy: { id: 'desc' },
          take: Number(opts.limit),
          select: { flags: true },
        });
        const past = tickets
          .map((t) => (t.flags as { facts?: RuleFacts }).facts)
          .filter((f): f is RuleFacts => f !== undefined);
        for (const rule of chosen) {
          const r = dryRun(rule, past);
          process.stdout.write(`规则 ${rule.id}「${rule.name}」：${r.total} 张历史工单中命中 ${r.matched} 张\n`);
          for (const e of r.examples) process.stdout.write(`  · ${e}\n`);
        }
      } finally {
        await db.close();
      }
    });
}
