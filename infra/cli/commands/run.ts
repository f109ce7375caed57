import type { Command } from 'commander';
import { temporalClient } from '../../worker/connect';
import { PIPELINE } from '../../../workflows/shared';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { failureText, follow, runUrl } from '../follow-run';
import { parseMode, parseRunDate } from '../parse-args';

interface RunOptions {
  date?: string;
  mode?: string;
  wait?: boolean;
  json?: boolean;
}

export function runCommand(program: Command): void {
  program
    .command('run')
    .description('start the songs ETL pipeline now')
    .option('--date <YYYY-MM-DD>', 'run date (the day whose logs are processed)')
    .option('--mode <full|daily>', 'full rebuild or one month incremental (default: daily with --date, else full)')
    .option('--wait', 'follow the run until it ends and print its summary')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', '\nExamples:\n  $ emrflow run --date 2018-11-15 --wait\n  $ emrflow run --mode full --json')
    .action(action(async (opts: RunOptions) => {
      const runDate = opts.date === undefined ? undefined : parseRunDate(opts.date);
      const mode = opts.mode === undefined ? undefined : parseMode(opts.mode);
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      const id = `${PIPELINE}-${runDate ?? new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
      const handle = await client.workflow.start('songsEtl', {
        taskQueue: config.temporal.task_queue,
        workflowId: id,
        args: [{ ...(runDate && { runDate }), ...(mode && { mode }) }],
      });
      const url = runUrl(config, id, handle.firstExecutionRunId);
      const out: Record<string, unknown> = { workflowId: id, runId: handle.firstExecutionRunId, url };
      if (!opts.json) say(`started ${id}: ${url}`);
      if (!opts.wait) {
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        return EXIT_OK;
      }
      await follow(client, id, Boolean(opts.json));
      try {
        out.result = await handle.result();
        out.status = 'COMPLETED';
      } catch (e) {
        out.status = (await handle.describe()).status.name;
        out.failure = failureText(e);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else if (out.status === 'COMPLETED') process.stdout.write(`${JSON.stringify(out.result, null, 2)}\n`);
      else say(`run ${String(out.status).toLowerCase()}: ${String(out.failure)}`);
      return out.status === 'COMPLETED' ? EXIT_OK : EXIT_FAILED;
    }));
}
