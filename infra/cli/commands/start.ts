// `npm start`: the embedded default, for real. Server, worker and schedules come up, the songs
// ETL runs once in full mode on the sample data with the local provider, and everything stays
// up until Ctrl-C so the web UI can be explored.
import type { Command } from 'commander';
import type { EmrflowConfig } from '../../config';
import { demoConfig } from '../../demo/demo-config';
import { ensureSampleData } from '../../demo/sample-data';
import { temporalClient } from '../../worker/connect';
import { loadPipelines } from '../../pipelines/registry';
import { runMetadataFor } from '../../run-metadata';
import { songsEtl } from '../../../workflows';
import { PIPELINE } from '../../../workflows/shared';
import { formatSummary } from '../format-summary';
import { action, configFrom, type GlobalOptions } from '../context';
import { failureText, follow, runUrl } from '../follow-run';
import { demoQueryLines } from '../../query/demo-query';
import { runQuery } from './query';
import { runDev } from './dev';

async function demoRun(config: EmrflowConfig, log: (line: string) => void): Promise<void> {
  ensureSampleData(config, log);
  const client = await temporalClient(config);
  const workflowId = `songs-etl-full-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
  const handle = await client.workflow.start(songsEtl, {
    taskQueue: config.temporal.task_queue,
    workflowId,
    args: [{ mode: 'full' }],
    ...runMetadataFor(config, PIPELINE, (await loadPipelines()).plan(PIPELINE), {
      runDate: new Date().toISOString().slice(0, 10), mode: 'full', startedBy: '`npm start` (the demo run on the sample data)',
    }),
  });
  const url = runUrl(config, workflowId, handle.firstExecutionRunId);
  log(`songs ETL started in full mode on the sample data: ${url}`);
  await follow(client, workflowId, false);
  try {
    const summary = await handle.result();
    log(`run completed (full summary on the run's page in the web UI):\n${formatSummary(summary)}`);
    log(`output tables: ${config.datalake.output_data}/{songplays,users,songs,artists,time}`);
    for (const line of await demoQueryLines(config, runQuery)) log(line);
  } catch (e) {
    log(`run failed: ${failureText(e)}`);
  }
  log(`run page: ${url}`);
  await client.connection.close();
}

export function startCommand(program: Command): void {
  program
    .command('start')
    .description('what `npm start` runs: server, worker and schedules, then one songs ETL run on sample data')
    .option('--no-demo-run', 'start everything but do not run the pipeline')
    .addHelpText('after', '\nExample:\n  $ npm start                  # or: npx emrflow start --no-demo-run')
    .action(action(async (opts: { demoRun: boolean }) => {
      const { config, overridden } = demoConfig(configFrom(program.opts<GlobalOptions>(), { noticeNow: true }));
      const log = (l: string) => process.stdout.write(`[emrflow] ${l}\n`);
      if (overridden.length) log(`the demo ignores ${overridden.join(', ')}: it runs on the local provider with the sample data in ${config.datalake.input_data}, on task queue ${config.temporal.task_queue}, and leaves the schedules alone`);
      await runDev(config, opts.demoRun ? () => demoRun(config, log) : undefined, { syncSchedules: overridden.length === 0 });
    }));
}
