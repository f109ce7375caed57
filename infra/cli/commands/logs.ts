// `emrflow logs ID`: the Spark driver's log of a run's step, from wherever the provider keeps it
// (local step files, or EMR's S3 log copies), optionally followed until the run ends.
import type { Command } from 'commander';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { s3Client } from '../../../activities/aws-clients';
import type { EmrflowConfig } from '../../config';
import { temporalClient } from '../../worker/connect';
import { EMR_CLUSTER_ID, EMR_STEP_ID } from '../../../workflows/search-attributes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes';
import {
  containerLogs, isLocalCluster, localLogPath, readLocalFrom, readS3Log, s3LogUris, type Stream, type StepRef,
} from '../runs/step-logs';

interface LogsOptions { stderr?: boolean; stdout?: boolean; follow?: boolean; pollSeconds: string }

async function stepOf(client: Client, config: EmrflowConfig, workflowId: string): Promise<{ step?: StepRef; running: boolean }> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    const clusterId = d.typedSearchAttributes.get(EMR_CLUSTER_ID);
    const stepId = d.typedSearchAttributes.get(EMR_STEP_ID);
    return { step: clusterId && stepId ? { clusterId, stepId } : undefined, running: d.status.name === 'RUNNING' };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new UsageError(`no run with workflow id ${workflowId} in namespace ${config.temporal.namespace} (see: emrflow runs list)`);
    throw e;
  }
}

export function logsCommand(program: Command): void {
  program
    .command('logs')
    .description("print the Spark driver's log of a run's step: local step files, or the step's logs that EMR copies to [s3] log_uri")
    .argument('<workflow-id>', "the run's workflow id (see: emrflow runs list)")
    .option('--stderr', "the driver's stderr (the default)")
    .option('--stdout', "the driver's stdout (on the local provider spark-submit writes the Python traceback there)")
    .option('--follow', 'keep printing what is added until the run ends')
    .option('--poll-seconds <n>', 'with --follow, how often to look again', '2')
    .addHelpText('after', '\nExamples:\n  $ emrflow logs songs-etl-2018-11-15\n  $ emrflow logs songs-etl-2018-11-15 --stdout --follow')
    .action(action(async (workflowId: string, opts: LogsOptions) => {
      if (opts.stderr && opts.stdout) throw new UsageError('--stderr and --stdout: give one of them');
      const poll = Number(opts.pollSeconds);
      if (!(poll > 0)) throw new UsageError(`--poll-seconds ${opts.pollSeconds}: expected a number above 0`);
      const stream: Stream = opts.stdout ? 'stdout' : 'stderr';
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        let { step, running } = await stepOf(client, config, workflowId);
        while (!step && running && opts.follow) {
          await new Promise((r) => setTimeout(r, poll * 1000));
          ({ step, running } = await stepOf(client, config, workflowId));
        }
        if (!step) {
          say(`run ${workflowId} has no step${running ? ' yet (add --follow to wait for it)' : ''}`);
          return EXIT_FAILED;
        }
        if (isLocalCluster(step.clusterId)) {
          const path = localLogPath(config, step, stream);
          let offset = 0;
          for (;;) {
            const chunk = await readLocalFrom(path, offset);
            process.stdout.write(chunk.text);
            offset = chunk.size;
            if (!opts.follow || !running) break;
            await new Promise((r) => setTimeout(r, poll * 1000));
            ({ running } = await stepOf(client, config, workflowId));
          }
          if (offset === 0) say(`${path} is empty or missing`);
          return EXIT_OK;
        }
        const s3 = s3Client(config.aws);
        const uris = s3LogUris(config, step, stream);
        let printed = 0;
        // After the run ends EMR still uploads the logs within minutes; following waits that long, not forever.
        let closedAt: number | undefined;
        for (;;) {
          const text = await readS3Log(s3, uris.object);
          if (text !== undefined) {
            process.stdout.write(text.slice(printed));
            printed = text.length;
          }
          if (!running) closedAt ??= Date.now();
          const gaveUp = closedAt !== undefined && Date.now() - closedAt > 10 * 60_000;
          if (!opts.follow || (!running && text !== undefined) || gaveUp) {
            if (text === undefined) {
              const containers = await containerLogs(s3, uris.containers, stream);
              say(`${uris.object} is not there yet: EMR copies step logs to S3 every few minutes (add --follow to wait); container logs: ${containers.length ? containers.join(' ') : `none under ${uris.containers} yet`}`);
              return EXIT_FAILED;
            }
            return EXIT_OK;
          }
          await new Promise((r) => setTimeout(r, Math.max(poll, 10) * 1000));
          ({ running } = await stepOf(client, config, workflowId));
        }
      } finally {
        await client.connection.close();
      }
    }));
}
