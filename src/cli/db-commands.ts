import path from 'node:path';
import type { Command } from 'commander';
import { resolveDatabaseTarget } from '../store/adapter.ts';
import { openDatabase } from '../store/db.ts';
import { loadConfigOrExit } from './load-config.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('数据库维护');
  db.command('deploy')
    .description(
      '应用 prisma/migrations 中尚未应用的迁移（与 prisma migrate deploy 记录在同一张 _prisma_migrations 表）',
    )
    .action(async () => {
      const env = loadConfigOrExit();
      const database = await openDatabase(resolveDatabaseTarget(env.DATABASE_URL, path.join(env.DATA_DIR, 'pglite')));
      try {
        const result = await database.migrate();
        const lines = result.applied.length
          ? result.applied.map((m) => `  已应用 ${m}`).join('\n')
          : '  没有待应用的迁移，数据库已是最新。';
        process.stdout.write(`${database.description}\n${lines}\n`);
      } finally {
        await database.close();
      }
    });
}
