// Starting a pipeline run from the CLI and, with --wait, following it to its end: shared by
// `emrflow run` and `emrflow rerun` so both print, refuse and exit the same way.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { EmrflowConfig } from '../config';
import type { PipelineSummary } from '../../workflows/pipeline-types';
import type { RunMetadata } from '../../workflows/run-metadata';
import type { SongsEtlSummary } from '../../workflows/shared';
import { say } from './context';
import { EXIT_FAILED, EXIT_OK } from './exit-codes';
import { failureText, follow, runUrl } from './follow-run';
import { formatSummary } from './format-summary';

export interface StartRunRequest {
  workflowType: 'songsEtl' | 'runPipeline';
  workflowId: string;
  input: Record<string, unknown>;
  metadata: RunMetadata;
  wait?: boolean;
  /** With wait: Ctrl-C cancels the run instead of leaving it running. */
  cancelOnExit?: boolean;
  json?: boolean;
  /** Extra fields of the --json object (rerun: the previous run). */
  extra?: Record<string, unknown>;
  /** The line printed once the run started; gets the run's URL. */
  startedLine: (url: string) => string;
}

/** Starts the run; returns the exit code (with --wait: the run's outcome). */
export async function startRun(client: Client, config: EmrflowConfig, r: StartRunRequest): Promise<number> {
  const id = r.workflowId;
  const handle = await client.workflow.start(r.workflowType, {
    taskQueue: config.temporal.task_queue, workflowId: id, args: [r.input], ...r.metadata,
  }).catch((e: unknown) => {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw new Error(`a run with workflow id ${id} is already running: ${runUrl(config, id, '')}`);
    throw e;
  });
  const url = runUrl(config, id, handle.firstExecutionRunId);
  const out: Record<string, unknown> = { workflowId: id, runId: handle.firstExecutionRunId, url, ...r.extra };
  if (!r.json) say(r.startedLine(url));
  if (!r.wait) {
    if (r.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    return EXIT_OK;
  }
  const onCtrlC = (): void => { void leave(client, id, url, Boolean(r.cancelOnExit)); };
  process.once('SIGINT', onCtrlC);
  try {
    await follow(client, id, Boolean(r.json));
    out.result = await handle.result();
    out.status = 'COMPLETED';
  } catch (e) {
    out.status = (await handle.describe()).status.name;
    out.failure = failureText(e);
  } finally {
    process.off('SIGINT', onCtrlC);
  }
  if (r.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else if (out.status === 'COMPLETED') process.stdout.write(`${formatSummary(out.result as PipelineSummary | SongsEtlSummary)}\n`);
  else say(`run ${String(out.status).toLowerCase()}: ${String(out.failure)}`);
  return out.status === 'COMPLETED' ? EXIT_OK : EXIT_FAILED;
}

/**
 * Ctrl-C while following: the run is Temporal's, not this terminal's, and goes on; say so and
 * how to stop it, or (--cancel-on-exit) ask it to stop. Exit 130, as for any Ctrl-C.
 */
async function leave(client: Client, id: string, url: string, cancel: boolean): Promise<void> {
  if (cancel) {
    try {
      await client.workflow.getHandle(id).cancel();
      say(`cancellation of ${id} requested (--cancel-on-exit): it stops its step and terminates its cluster; \`npx emrflow cancel ${id}\` waits until it has`);
    } catch (e) {
      say(`could not request the cancellation of ${id}: ${e instanceof Error ? e.message : String(e)}; run \`npx emrflow cancel ${id}\``);
    }
  } else {
    say(`stopped following; run ${id} goes on: ${url} (to stop it: npx emrflow cancel ${id})`);
  }
  process.exit(130);
}
