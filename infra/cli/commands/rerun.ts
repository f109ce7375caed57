// `emrflow rerun DATE`: runs a day again, typically one whose scheduled run failed. The new run
// gets the manual run's workflow id for that date (songs-etl-DATE): it is refused while a run for
// the date is open, and when the date's latest run completed unless --force says so.
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { temporalClient } from '../../worker/connect';
import { PIPELINE, songsEtlWorkflowId, type SongsEtlSummary } from '../../../workflows/shared';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes';
import { failureText, follow, runUrl } from '../follow-run';
import { formatSummary } from '../format-summary';
import { parseRunDate } from '../parse-args';
import { requirePoller } from '../require-poller';
import { rowOf } from '../runs/list-runs';

interface RerunOptions { force?: boolean; wait?: boolean; json?: boolean }

export function rerunCommand(program: Command): void {
  program
    .command('rerun')
    .description("run one day's songs ETL again (daily mode), e.g. after its scheduled run failed")
    .argument('<date>', 'the run date YYYY-MM-DD')
    .option('--force', "rerun even though the date's latest run completed")
    .option('--wait', 'follow the run until it ends and print its summary')
    .option('--json', 'print one JSON object: { workflowId, runId, url, previous, status?, result?, failure? }')
    .addHelpText('after', '\nExamples:\n  $ emrflow runs list --status failed --since 7d\n  $ emrflow rerun 2018-11-15 --wait')
    .action(action(async (date: string, opts: RerunOptions) => {
      const runDate = parseRunDate(date, 'DATE');
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        const query = `Pipeline = '${PIPELINE}' AND RunDate = '${runDate}'`;
        let previous;
        for await (const e of client.workflow.list({ query })) { previous = rowOf(e); break; }
        if (previous?.status === 'RUNNING')
          throw new UsageError(`a run for ${runDate} is still running: ${runUrl(config, previous.workflowId, previous.runId)}`);
        if (previous?.status === 'COMPLETED' && !opts.force)
          throw new UsageError(`the latest run for ${runDate} (${previous.workflowId}) completed; add --force to run the day again`);
        await requirePoller(client, config);
        const id = songsEtlWorkflowId(runDate);
        const handle = await client.workflow.start('songsEtl', {
          taskQueue: config.temporal.task_queue, workflowId: id, args: [{ runDate, mode: 'daily' }],
        }).catch((e: unknown) => {
          if (e instanceof WorkflowExecutionAlreadyStartedError) throw new Error(`a run with workflow id ${id} is already running: ${runUrl(config, id, '')}`);
          throw e;
        });
        const url = runUrl(config, id, handle.firstExecutionRunId);
        const out: Record<string, unknown> = { workflowId: id, runId: handle.firstExecutionRunId, url, previous: previous ?? null };
        if (!opts.json) say(`rerunning ${runDate}${previous ? ` (latest run ${previous.workflowId}: ${previous.status})` : ''}: started ${id}: ${url}`);
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
        else if (out.status === 'COMPLETED') process.stdout.write(`${formatSummary(out.result as SongsEtlSummary)}\n`);
        else say(`run ${String(out.status).toLowerCase()}: ${String(out.failure)}`);
        return out.status === 'COMPLETED' ? EXIT_OK : EXIT_FAILED;
      } finally {
        await client.connection.close();
      }
    }));
}
