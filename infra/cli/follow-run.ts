// Following a run from the terminal: its stage as it changes, and its failure as one message.
import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { EmrflowConfig } from '../config';
import { uiUrl } from '../server/dev-server';
import { statusQuery } from '../../workflows/pipeline-run';
import type { PipelineStatus } from '../../workflows/pipeline-types';
import { say } from './context';
import { livePollers } from './require-poller';

/** Each task's state in one word, as `--wait` prints it when it changes. */
function taskStates(s: PipelineStatus): string[] {
  return (s.tasks ?? []).map((t) => `task ${t.id}: ${t.state}${t.state === 'running' && t.stepId ? ` (step ${t.stepId} ${t.stepState ?? ''})`.replace(' )', ')') : ''}${t.reason && (t.state === 'failed' || t.state === 'skipped') ? ` (${t.reason})` : ''}`);
}

export function runUrl(config: EmrflowConfig, workflowId: string, runId: string): string {
  return `${uiUrl(config)}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}/${runId}`;
}

export function failureText(e: unknown): string {
  if (e instanceof WorkflowFailedError) {
    const parts: string[] = [];
    for (let c: Error | undefined = e.cause; c; c = (c as { cause?: Error }).cause) parts.push(c.message);
    return parts.join(': ') || e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Prints the run's stage whenever it changes, until the run closes; during a long wait (an EMR
 * step runs for hours) the same line again every `repeatSeconds`, so the terminal shows it is
 * still waiting and for how long.
 */
export async function follow(client: Client, workflowId: string, quiet: boolean, repeatSeconds = 60): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const started = Date.now();
  let last = '';
  let lastSaidAt = 0;
  let lastWorkerCheck = 0;
  let noWorker = false;
  const tasksSaid = new Map<string, string>();
  for (;;) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return;
    // Before the stage query, which itself waits for a worker and would hold this line back.
    if (!quiet && Date.now() - lastWorkerCheck >= repeatSeconds * 1000) {
      lastWorkerCheck = Date.now();
      noWorker = await sayIfNoWorker(client, d.taskQueue);
    }
    if (!quiet && !noWorker) {
      try {
        const s = await handle.query(statusQuery);
        for (const taskLine of taskStates(s)) {
          const id = taskLine.slice(0, taskLine.indexOf(':'));
          if (tasksSaid.get(id) !== taskLine) say(taskLine);
          tasksSaid.set(id, taskLine);
        }
        const stepState = liveStepState(d) ?? s.stepState ?? '';
        const line = s.lake ?? `stage ${s.stage ?? '?'}, cluster ${s.clusterId ?? '-'}, step ${s.stepId ?? '-'} ${stepState}`.trim();
        if (line !== last || Date.now() - lastSaidAt >= repeatSeconds * 1000) {
          say(`${line} (${Math.round((Date.now() - started) / 1000)} s)`);
          lastSaidAt = Date.now();
        }
        last = line;
      } catch {
        // The first workflow task may not have run yet; the query answers once it has.
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A wait that lost its worker says so, instead of repeating the stage line as if all were well. */
async function sayIfNoWorker(client: Client, taskQueue: string): Promise<boolean> {
  const pollers = await livePollers(client.workflowService, client.options.namespace, taskQueue).catch(() => undefined);
  if (pollers?.length !== 0) return false;
  say(`no worker polls task queue "${taskQueue}": the run waits until one does (start one with \`npx emrflow worker\`)`);
  return true;
}

/**
 * The step's state as waitForStep last heartbeated it (PENDING, RUNNING, ...). The workflow's
 * own status only learns the state when the wait ends, so while it waits this is the live one,
 * the same the web UI shows under Pending Activities.
 */
function liveStepState(d: WorkflowExecutionDescription): string | undefined {
  for (const a of d.raw.pendingActivities ?? []) {
    const payload = a.activityType?.name === 'waitForStep' ? a.heartbeatDetails?.payloads?.[0] : undefined;
    if (!payload) continue;
    try {
      const state = defaultPayloadConverter.fromPayload<{ state?: unknown }>(payload)?.state;
      if (typeof state === 'string') return state;
    } catch {
      // Details in another encoding: fall back to the workflow's status.
    }
  }
  return undefined;
}
