// Following a run from the terminal: its stage as it changes, and its failure as one message.
import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { EmrflowConfig } from '../config';
import { uiUrl } from '../server/dev-server';
import { statusQuery } from '../../workflows/pipeline-run';
import type { PipelineStatus, TaskStatus } from '../../workflows/pipeline-types';
import { say } from './context';
import { livePollers } from './require-poller';

/** A sensor's deadline as the user reads it: UTC, with the date when it is not today's. */
function deadlineText(iso: string): string {
  const at = new Date(iso);
  const sameDay = at.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
  return `${sameDay ? '' : `${at.toISOString().slice(0, 10)} `}${at.toISOString().slice(11, 16)} UTC`;
}

/** What a running task is doing: its step, or the input a sensor waits for and until when. */
function runningDetail(t: TaskStatus): string {
  if (t.stepId) return ` (step ${t.stepId} ${t.stepState ?? ''})`.replace(' )', ')');
  if (t.waitingFor && t.waitUntil) return ` (waiting for ${t.waitingFor} until ${deadlineText(t.waitUntil)})`;
  return '';
}

/** Each task's state in one word, as `--wait` prints it when it changes. */
function taskStates(s: Pick<PipelineStatus, 'tasks'>): string[] {
  return (s.tasks ?? []).map((t) => `task ${t.id}: ${t.state}${t.state === 'running' ? runningDetail(t) : ''}${t.reason && (t.state === 'failed' || t.state === 'skipped') ? ` (${t.reason})` : ''}`);
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
 *
 * Each task's state is printed from the first second: while no worker polls the run's task
 * queue the status query would wait for one, so the follower asks the server for pollers every
 * second instead and resumes the moment one appears. "No worker polls" is said only after
 * `noWorkerGraceSeconds` without one: a worker that has just started (the demo's, or one
 * started in another terminal) sends its first poll within a second or two.
 */
export async function follow(client: Client, workflowId: string, quiet: boolean, repeatSeconds = 60, noWorkerGraceSeconds = 10): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const started = Date.now();
  let last = '';
  let lastSaidAt = 0;
  let lastWorkerCheck = 0;
  let noWorkerSince: number | undefined;
  let noWorkerSaidAt = 0;
  const tasksSaid = new Map<string, string>();
  const sayChanged = (taskLine: string): void => {
    const id = taskLine.slice(0, taskLine.indexOf(':'));
    if (tasksSaid.get(id) !== taskLine) say(taskLine);
    tasksSaid.set(id, taskLine);
  };
  for (;;) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') {
      // The last tasks often end between two looks (audit, publish, catalog within a second):
      // their final states still show, from the result (or the status, for a run that failed).
      if (!quiet) for (const taskLine of taskStates(await finalStatus(client, workflowId, d.status.name))) sayChanged(taskLine);
      return;
    }
    // Before the stage query, which itself waits for a worker and would hold this line back.
    // Every second while none polls (so the follower resumes at once), else once a repeat.
    if (!quiet && (noWorkerSince !== undefined || Date.now() - lastWorkerCheck >= repeatSeconds * 1000)) {
      lastWorkerCheck = Date.now();
      const polled = await hasPoller(client, d.taskQueue);
      noWorkerSince = polled ? undefined : noWorkerSince ?? Date.now();
      if (noWorkerSince !== undefined && Date.now() - noWorkerSince >= noWorkerGraceSeconds * 1000 && Date.now() - noWorkerSaidAt >= repeatSeconds * 1000) {
        say(`no worker polls task queue "${d.taskQueue}": the run waits until one does (start one with \`npx emrflow worker\`)`);
        noWorkerSaidAt = Date.now();
      }
    }
    if (!quiet && noWorkerSince === undefined) {
      try {
        // Bounded: a query the server cannot hand to a worker must not hold the loop (and the
        // check for a lost worker) for the gRPC default of a minute.
        const s = await client.withDeadline(Date.now() + 5000, () => handle.query(statusQuery));
        for (const taskLine of taskStates(s)) sayChanged(taskLine);
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

/** A closed run's tasks: a completed run's result holds them; else the status query, if a worker answers it soon. */
async function finalStatus(client: Client, workflowId: string, status: string): Promise<Pick<PipelineStatus, 'tasks'>> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (status === 'COMPLETED') return { tasks: ((await handle.result()) as { tasks?: TaskStatus[] }).tasks ?? [] };
    return await client.withDeadline(Date.now() + 3000, () => handle.query(statusQuery));
  } catch {
    return { tasks: [] };
  }
}

/** Whether a worker polls the task queue; an unanswered DescribeTaskQueue counts as yes (no false alarm). */
async function hasPoller(client: Client, taskQueue: string): Promise<boolean> {
  const pollers = await livePollers(client.workflowService, client.options.namespace, taskQueue).catch(() => undefined);
  return pollers?.length !== 0;
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
