import type { Command } from 'commander';
import { action, configFrom, type GlobalOptions } from '../context';
import { runDev } from './dev';

export function startCommand(program: Command): void {
  program
    .command('start')
    .description('what `npm start` runs: the embedded server and a worker, ready in the web UI')
    .action(action(async () => runDev(configFrom(program.opts<GlobalOptions>()))));
}
