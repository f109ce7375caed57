import type { Command } from 'commander';
import { ensureDevServer } from '../../server/dev-server';
import { action, configFrom, say, type GlobalOptions } from '../context';

export function serverCommand(program: Command): void {
  program
    .command('server')
    .description('start the embedded Temporal dev server with its web UI (reuses one already listening)')
    .addHelpText('after', '\nExample:\n  $ emrflow server            # web UI on http://127.0.0.1:8233, Ctrl-C stops it')
    .action(action(async () => {
      const config = configFrom(program.opts<GlobalOptions>(), { noticeNow: true });
      const server = await ensureDevServer(config, say);
      if (server.reused) return;
      say('press Ctrl-C to stop');
      await new Promise<void>((resolve) => server.child!.once('exit', () => resolve()));
    }));
}
