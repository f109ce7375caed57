import type { Command } from 'commander';
import { temporalClient } from '../../worker/connect';
import { loadPipelines } from '../../pipelines/registry';
import { runMetadataFor } from '../../run-metadata';
import { PIPELINE, pipelineWorkflowId } from '../../../workflows/shared';
import { UsageError } from '../exit-codes';
import { action, configFrom, type GlobalOptions } from '../context';
import { startRun } from '../start-run';
import { parseMode, parseRunDate } from '../parse-args';
import { requirePoller } from '../require-poller';

interface RunOptions {
  date?: string;
  mode?: string;
  wait?: boolean;
  cancelOnExit?: boolean;
  json?: boolean;
  forcePublish?: boolean;
}

export function runCommand(program: Command): void {
  program
    .command('run')
    .description('start a pipeline now (default songs-etl), as workflow id <pipeline>-<run date>; the run date is --date, else today (UTC)')
    .argument('[pipeline]', 'pipeline name (emrflow pipelines list)', PIPELINE)
    .option('--date <YYYY-MM-DD>', 'run date (the day whose logs are processed)')
    .option('--mode <full|daily>', 'full rebuild or one month incremental (default: daily with --date, else full)')
    .option('--wait', 'follow the run until it ends, showing each task\'s state as it changes, and print its summary')
    .option('--cancel-on-exit', 'with --wait: Ctrl-C cancels the run (without it, the run goes on and Ctrl-C only stops following)')
    .option('--json', 'print one JSON object instead of text')
    .option('--force-publish', 'publish even when the only failed check is the month shrink')
    .addHelpText('after', '\nExamples:\n  $ emrflow run --date 2018-11-15 --wait\n  $ emrflow run sparkify-reports --date 2018-11-15 --wait\n  $ emrflow run --mode full --json')
    .action(action(async (pipeline: string, opts: RunOptions) => {
      const runDate = opts.date === undefined ? undefined : parseRunDate(opts.date);
      const mode = opts.mode === undefined ? undefined : parseMode(opts.mode);
      const registry = await loadPipelines();
      if (!registry.plan(pipeline)) throw new UsageError(`no pipeline "${pipeline}" (known: ${registry.names().join(', ')})`);
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      await requirePoller(client, config);
      // One workflow id per pipeline and run date: two people starting the same date get one
      // run, not two writers on the same partitions. Without --date the run date is today's (UTC).
      const id = pipelineWorkflowId(pipeline, runDate ?? new Date().toISOString().slice(0, 10));
      const input = { ...(runDate && { runDate }), ...(mode && { mode }), ...(opts.forcePublish && { forcePublish: true }) };
      const metadata = runMetadataFor(config, pipeline, registry.plan(pipeline), {
        runDate: runDate ?? new Date().toISOString().slice(0, 10), mode: mode ?? (runDate ? 'daily' : 'full'), startedBy: '`emrflow run`',
      });
      // songs-etl keeps its workflow type: its runs look as they always did in the web UI.
      return startRun(client, config, {
        workflowType: pipeline === PIPELINE ? 'songsEtl' : 'runPipeline', workflowId: id,
        input: pipeline === PIPELINE ? input : { pipeline, ...input }, metadata,
        wait: opts.wait, cancelOnExit: opts.cancelOnExit, json: opts.json, startedLine: (url) => `started ${id}: ${url}`,
      });
    }));
}
