// `emrflow cancel <workflowId>`: asks a run to stop, then waits until it has actually stopped
// (its cluster terminated) and says how it ended. Cancelling is a request: the workflow cleans
// up in its own time, so the command shows what it is waiting for instead of returning early.
import type { Command } from 'commander';
import { statusQuery } from '../../../workflows/pipeline-run';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { EMR_CLUSTER_ID } from '../../../workflows/search-attributes';
import { temporalClient } from '../../worker/connect';
import { noSuchRun } from '../runs/no-such-run';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { failureText, runUrl } from '../follow-run';

interface CancelOptions {
  wait: boolean;
  timeout: string;
  json?: boolean;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--timeout ${value}: expected a whole number of seconds`);
  return n;
}

/** The run's stage and cluster as the `status` query reports them; undefined when it cannot answer. */
async function where(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const s = await client.workflow.getHandle(workflowId).query(statusQuery);
    return s.lake ?? `stage ${s.stage ?? '?'}, cluster ${s.clusterId ?? '-'}`;
  } catch {
    return undefined;
  }
}

export function cancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel a running run: its step is stopped and its cluster terminated, then it ends CANCELLED')
    .argument('<workflowId>', 'the run to cancel, e.g. songs-etl-2018-11-15')
    .option('--no-wait', 'only request the cancellation; do not wait for the run to stop')
    .option('--timeout <seconds>', 'give up waiting after this long (the run still stops)', '300')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', '\nExamples:\n  $ emrflow cancel songs-etl-2018-11-15\n  $ emrflow cancel songs-etl-2018-11-15 --no-wait --json')
    .action(action(async (workflowId: string, opts: CancelOptions) => {
      const timeoutS = seconds(opts.timeout);
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      const handle = client.workflow.getHandle(workflowId);
      let before;
      try {
        before = await handle.describe();
      } catch (e) {
        // A bad argument, exit 2, in the same words as `runs show` and `logs`.
        if (e instanceof WorkflowNotFoundError) throw new UsageError(noSuchRun(workflowId, config.temporal.namespace));
        throw e;
      }
      const url = runUrl(config, workflowId, before.runId);
      const out: Record<string, unknown> = { workflowId, runId: before.runId, url };
      if (before.status.name !== 'RUNNING') {
        out.status = before.status.name;
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else say(`run ${workflowId} is not running (it is ${before.status.name}); nothing to cancel: ${url}`);
        return EXIT_FAILED;
      }
      await handle.cancel();
      if (!opts.json) say(`cancellation requested for ${workflowId}: ${url}`);
      if (!opts.wait) {
        out.status = 'CANCEL_REQUESTED';
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        return EXIT_OK;
      }
      const started = Date.now();
      let last = '';
      let clusterId: string | undefined;
      for (;;) {
        const d = await handle.describe();
        if (d.status.name !== 'RUNNING') {
          out.status = d.status.name;
          clusterId = d.typedSearchAttributes.get(EMR_CLUSTER_ID);
          break;
        }
        const elapsed = Math.round((Date.now() - started) / 1000);
        if (elapsed >= timeoutS) {
          out.status = 'RUNNING';
          out.failure = `still stopping after ${timeoutS} s`;
          break;
        }
        const line = await where(client, workflowId);
        if (!opts.json && line && line !== last) say(`waiting for the run to stop and terminate its cluster: ${line} (${elapsed} s)`);
        if (line) last = line;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (out.status === 'COMPLETED' || out.status === 'FAILED') {
        // It finished before the request took effect: say how.
        try {
          await handle.result();
        } catch (e) {
          out.failure = failureText(e);
        }
      }
      const took = Math.round((Date.now() - started) / 1000);
      if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      // The run sets EmrClusterId once it has created its cluster: without it there was none to terminate.
      else if (out.status === 'CANCELLED') say(`run ${workflowId} cancelled after ${took} s; ${clusterId ? `its cluster ${clusterId} was terminated` : 'it had not created a cluster'}`);
      else if (out.status === 'RUNNING') say(`run ${workflowId} is still stopping after ${timeoutS} s: ${last || 'no status'}; follow it at ${url}`);
      else say(`run ${workflowId} ended ${String(out.status).toLowerCase()} instead of cancelled${out.failure ? `: ${String(out.failure)}` : ''}`);
      return out.status === 'CANCELLED' ? EXIT_OK : EXIT_FAILED;
    }));
}
