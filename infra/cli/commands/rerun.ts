// `emrflow rerun DATE`: runs a day again, typically one whose scheduled run failed. The new run
// gets the manual run's workflow id for that date (songs-etl-DATE): it is refused while a run for
// the date is open, and when the date's latest run completed unless --force says so.
import type { Command } from 'commander';
import { loadPipelines } from '../../pipelines/registry';
import { runMetadataFor } from '../../run-metadata';
import { temporalClient } from '../../worker/connect';
import { PIPELINE, songsEtlWorkflowId } from '../../../workflows/shared';
import { action, configFrom, type GlobalOptions } from '../context';
import { UsageError } from '../exit-codes';
import { runUrl } from '../follow-run';
import { parseRunDate } from '../parse-args';
import { requirePoller } from '../require-poller';
import { startRun } from '../start-run';
import { rowOf } from '../runs/list-runs';

interface RerunOptions { force?: boolean; wait?: boolean; cancelOnExit?: boolean; json?: boolean }

export function rerunCommand(program: Command): void {
  program
    .command('rerun')
    .description("run one day's songs ETL again (daily mode), e.g. after its scheduled run failed")
    .argument('<date>', 'the run date YYYY-MM-DD')
    .option('--force', "rerun even though the date's latest run completed")
    .option('--wait', 'follow the run until it ends and print its summary')
    .option('--cancel-on-exit', 'with --wait: Ctrl-C cancels the run (without it, the run goes on)')
    .option('--json', 'print one JSON object: { workflowId, runId, url, previous, status?, result?, failure? }')
    .addHelpText('after', '\nExamples:\n  $ emrflow runs list --status failed --since 7d\n  $ emrflow rerun 2018-11-15 --wait')
    .action(action(async (date: string, opts: RerunOptions) => {
      const runDate = parseRunDate(date, 'DATE');
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        const query = `Pipeline = '${PIPELINE}' AND RunDate = '${runDate}'`;
        let previous: ReturnType<typeof rowOf> | undefined;
        for await (const e of client.workflow.list({ query })) { previous = rowOf(e); break; }
        if (previous?.status === 'RUNNING')
          throw new UsageError(`a run for ${runDate} is still running: ${runUrl(config, previous.workflowId, previous.runId)}`);
        if (previous?.status === 'COMPLETED' && !opts.force)
          throw new UsageError(`the latest run for ${runDate} (${previous.workflowId}) completed; add --force to run the day again`);
        await requirePoller(client, config);
        const id = songsEtlWorkflowId(runDate);
        const metadata = runMetadataFor(config, PIPELINE, (await loadPipelines()).plan(PIPELINE), { runDate, mode: 'daily', startedBy: '`emrflow rerun`' });
        return await startRun(client, config, {
          workflowType: 'songsEtl', workflowId: id, input: { runDate, mode: 'daily' }, metadata,
          wait: opts.wait, cancelOnExit: opts.cancelOnExit, json: opts.json, extra: { previous: previous ?? null },
          startedLine: (url) => `rerunning ${runDate}${previous ? ` (latest run ${previous.workflowId}: ${previous.status})` : ''}: started ${id}: ${url}`,
        });
      } finally {
        await client.connection.close();
      }
    }));
}
