import { type Command, Option } from 'commander';
import { SECRET_KEYS } from '../config/env.ts';
import { isCodedError } from '../domain/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { type Role, startService } from '../main.ts';
import { loadConfigOrExit } from './load-config.ts';

const roleOption = () =>
  new Option('--role <role>', '进程角色：all（一个进程全包）| api（HTTP 与消息接收）| worker（队列处理）')
    .choices(['all', 'api', 'worker'])
    .default('all');

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('启动服务（默认：内置 PGlite + 自动探测/启动 Redis + 沙盒聊天页）')
    .addOption(roleOption())
    .option('-p, --port <port>', '监听端口（覆盖 PORT）')
    .action(async (opts: { role: Role; port?: string }) => {
      const env = loadConfigOrExit();
      if (opts.port) env.PORT = Number(opts.port);
      const log = createLogger({ level: env.LOG_LEVEL, secretKeys: SECRET_KEYS });
      try {
        const service = await startService({ env, role: opts.role, log });
        const stop = (signal: string) => {
          const timer = setTimeout(() => {
            log.error('关闭超时，强制退出');
            process.exit(1);
          }, env.SHUTDOWN_TIMEOUT_MS);
          timer.unref();
          void service.close(signal).then(() => process.exit(0));
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      } catch (err) {
        if (isCodedError(err)) {
          log.fatal({ code: err.code }, err.message);
          process.stderr.write(`\n启动失败：${err.message}\n`);
        } else {
          log.fatal({ err }, '启动失败');
        }
        process.exit(1);
      }
    });
}
