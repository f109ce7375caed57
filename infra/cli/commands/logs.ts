// `emrflow logs ID`: the Spark driver's log of a run's step, from wherever the provider keeps it
// (local step files, or EMR's S3 log copies), optionally followed until the run ends.
import type { Command } from 'commander';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { s3Client } from '../../../activities/aws-clients';
import type { EmrflowConfig } from '../../config';
import { temporalClient } from '../../worker/connect';
import { EMR_CLUSTER_ID, EMR_STEP_ID } from '../../../workflows/search-attributes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { noSuchRun } from '../runs/no-such-run';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes';
import {
  containerLogs, isLocalCluster, localLogPath, readLocalFrom, readS3Log, s3LogUris, type Stream, type StepRef,
} from '../runs/step-logs';
import { runSteps, selectSteps, type RunStep } from '../runs/run-steps';

interface LogsOptions { stderr?: boolean; stdout?: boolean; follow?: boolean; pollSeconds: string; task?: string; attempt?: string }

async function stepOf(client: Client, config: EmrflowConfig, workflowId: string): Promise<{ step?: StepRef; running: boolean }> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    const clusterId = d.typedSearchAttributes.get(EMR_CLUSTER_ID);
    const stepId = d.typedSearchAttributes.get(EMR_STEP_ID);
    return { step: clusterId && stepId ? { clusterId, stepId } : undefined, running: d.status.name === 'RUNNING' };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new UsageError(noSuchRun(workflowId, config.temporal.namespace));
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
    .option('--task <id>', "the task whose step to print (default: every task with a step, one section each)")
    .option('--attempt <n>', "with --task: that attempt's step (default: the latest)")
    .option('--follow', 'keep printing what is added until the run ends')
    .option('--poll-seconds <n>', 'with --follow, how often to look again', '2')
    .addHelpText('after', '\nExamples:\n  $ emrflow logs songs-etl-2018-11-15\n  $ emrflow logs songs-etl-2018-11-15 --stdout --follow\n  $ emrflow logs sparkify-reports-2018-11-15 --task top-songs --attempt 1')
    .action(action(async (workflowId: string, opts: LogsOptions) => {
      if (opts.stderr && opts.stdout) throw new UsageError('--stderr and --stdout: give one of them');
      const poll = Number(opts.pollSeconds);
      if (!(poll > 0)) throw new UsageError(`--poll-seconds ${opts.pollSeconds}: expected a number above 0`);
      const attempt = opts.attempt === undefined ? undefined : Number(opts.attempt);
      if (attempt !== undefined && !(Number.isInteger(attempt) && attempt >= 1)) throw new UsageError(`--attempt ${opts.attempt}: expected a whole number from 1`);
      if (attempt !== undefined && opts.task === undefined) throw new UsageError('--attempt needs --task: attempts are counted per task');
      const stream: Stream = opts.stdout ? 'stdout' : 'stderr';
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      try {
        let { step, running } = await stepOf(client, config, workflowId);
        let steps = await runSteps(client, workflowId);
        const pick = (): RunStep[] => selectSteps(steps, opts.task, attempt);
        while (pick().length === 0 && running && opts.follow) {
          await new Promise((r) => setTimeout(r, poll * 1000));
          ({ step, running } = await stepOf(client, config, workflowId));
          steps = await runSteps(client, workflowId);
        }
        const selected = pick();
        if (opts.task !== undefined && selected.length === 0) {
          const attempts = steps.filter((s) => s.task === opts.task).map((s) => s.attempt);
          const why = attempts.length
            ? `task ${opts.task} of run ${workflowId} has no attempt ${String(attempt)} (attempts: ${attempts.join(', ')})`
            : `run ${workflowId} has no step of task "${opts.task}"${running ? ' yet' : ''} (tasks with a step: ${[...new Set(steps.map((s) => s.task))].sort().join(', ') || 'none'})`;
          if (running) { say(`${why}; add --follow to wait for it`); return EXIT_FAILED; }
          throw new UsageError(why);
        }
        if (selected.length > 1) {
          if (opts.follow) throw new UsageError(`--follow follows one step; add --task (this run's tasks with a step: ${selected.map((s) => s.task).join(', ')})`);
          // Several tasks: one section each, under a header naming the task, attempt and step.
          let code = EXIT_OK;
          for (const s of selected) {
            process.stdout.write(`==> task ${s.task}, attempt ${s.attempt}: step ${s.stepId} on ${s.clusterId} <==\n`);
            if (await printStep(s, false) !== EXIT_OK) code = EXIT_FAILED;
          }
          return code;
        }
        // History without addStep results (a run from before tasks): the step its search attributes name.
        step = selected[0] ?? step;
        if (!step) {
          say(`run ${workflowId} has no step${running ? ' yet (add --follow to wait for it)' : ''}`);
          return EXIT_FAILED;
        }
        return await printStep(step, Boolean(opts.follow));
      } finally {
        await client.connection.close();
      }

      /** One step's log; following it until the run ends. */
      async function printStep(step: StepRef, follow: boolean): Promise<number> {
        let { running } = await stepOf(client, config, workflowId);
        if (isLocalCluster(step.clusterId)) {
          const path = localLogPath(config, step, stream);
          let offset = 0;
          for (;;) {
            const chunk = await readLocalFrom(path, offset);
            process.stdout.write(chunk.text);
            offset = chunk.size;
            if (!follow || !running) break;
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
          if (!follow || (!running && text !== undefined) || gaveUp) {
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
      }
    }));
}
