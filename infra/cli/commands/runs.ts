// `emrflow runs list` and `emrflow runs show`: what ran, what is running, and one run in detail.
import type { Command } from 'commander';
import { createProvider } from '../../../activities';
import { temporalClient } from '../../worker/connect';
import { action, configFrom, type GlobalOptions } from '../context';
import { UsageError } from '../exit-codes';
import { formatRows, listRuns, STATUSES } from '../runs/list-runs';
import { formatRun, showRun } from '../runs/show-run';

interface ListOptions { pipeline?: string; status?: string; since?: string; limit: string; json?: boolean }

export function runsCommand(program: Command): void {
  const runs = program.command('runs').description('list runs and show one run (from Temporal visibility and the runs themselves)')
    .addHelpText('after', '\nExample:\n  $ emrflow runs list --status failed --since 7d');

  runs.command('list')
    .description('runs newest first, filtered by pipeline, status and start time')
    .option('--pipeline <name>', 'only this pipeline (the Pipeline search attribute), e.g. songs-etl')
    .option('--status <status>', `only runs in this state: ${Object.keys(STATUSES).join(', ')}`)
    .option('--since <date|duration>', 'only runs started since a date (YYYY-MM-DD, UTC) or for a duration (24h, 7d)')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'print a JSON array: [{ workflowId, runId, status, pipeline, runDate, clusterId, stepId, startTime, closeTime }]')
    .addHelpText('after', '\nExamples:\n  $ emrflow runs list --status failed --since 7d\n  $ emrflow runs list --pipeline songs-etl --json')
    .action(action(async (opts: ListOptions) => {
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit) || limit < 1) throw new UsageError(`--limit ${opts.limit}: expected a whole number of 1 or more`);
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        const rows = await listRuns(client, opts, limit);
        process.stdout.write(`${opts.json ? JSON.stringify(rows, null, 2) : formatRows(rows)}\n`);
      } finally {
        await client.connection.close();
      }
    }));

  runs.command('show')
    .description('one run: status, stages or tasks, cluster, step, rows, failure and its web UI link (emr-serverless: the job run\'s Spark UI and log location)')
    .argument('<workflow-id>', 'the run\'s workflow id, e.g. songs-etl-2018-11-15 (see: emrflow runs list)')
    .option('--json', 'print one JSON object: { workflowId, runId, status, pipeline, runDate, clusterId, stepId, startTime, closeTime, url, progress, rows, failure, cost, links }')
    .addHelpText('after', '\nExamples:\n  $ emrflow runs show songs-etl-2018-11-15\n  $ emrflow runs show songs-etl-2018-11-15 --json')
    .action(action(async (workflowId: string, opts: { json?: boolean }) => {
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        // emr-serverless: the job run's Spark UI link is fetched now, as it expires.
        const run = await showRun(client, config, workflowId, config.cluster.provider === 'emr-serverless' ? createProvider(config) : undefined);
        process.stdout.write(`${opts.json ? JSON.stringify(run, null, 2) : formatRun(run)}\n`);
      } finally {
        await client.connection.close();
      }
    }));
}
