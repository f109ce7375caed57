import type { Command } from 'commander';
import { installRuntime } from '../../worker/install-runtime';
import { runWorker } from '../../worker/run-worker';
import { loadPipelines } from '../../pipelines/registry';
import { action, configFrom, type GlobalOptions } from '../context';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the emrflow worker (workflows and activities) until Ctrl-C')
    .option('--no-sync-schedules', 'do not create or update the schedules at start-up')
    .addHelpText('after', '\nExample:\n  $ emrflow --config prod.cfg worker')
    .action(action(async (opts: { syncSchedules: boolean }) => {
      // An invalid pipeline stops the worker before anything else is said or started.
      const pipelines = await loadPipelines();
      const config = configFrom(program.opts<GlobalOptions>(), { noticeNow: true });
      const log = installRuntime(config, '[worker]');
      await runWorker(config, log, { syncSchedules: opts.syncSchedules, pipelines });
    }));
}
