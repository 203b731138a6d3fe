import { Command } from 'commander';
import { registerDbCommands } from './db-commands.ts';
import { registerNluCommands } from './nlu-commands.ts';
import { registerOrderCommands } from './order-commands.ts';
import { registerServe } from './serve.ts';
import { registerTicketCommands } from './ticket-commands.ts';

/** Later issues add their commands here (parse, eval, train, import, bench, ...). */
const registrars: ((program: Command) => void)[] = [
  registerServe,
  registerDbCommands,
  registerNluCommands,
  registerTicketCommands,
  registerOrderCommands,
];

export function buildProgram(): Command {
  const program = new Command()
    .name('aftersales')
    .description('售后分诊助手 — 企业微信 / 钉钉售后分诊机器人')
    .version('0.1.0', '-v, --version', '显示版本号')
    .helpOption('-h, --help', '显示帮助')
    .addHelpCommand('help [command]', '显示某个子命令的帮助')
    .showHelpAfterError('（用 aftersales --help 查看全部命令）');
  for (const register of registrars) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
