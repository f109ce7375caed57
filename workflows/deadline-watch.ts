// deadlineWatch: one workflow per pipeline and run date (`<pipeline>-<date>-deadline`), a timer
// to the pipeline's deadline that the date's runs talk to. If no run has succeeded when the timer
// fires (none started, one still running, or the last one failed) it sends one deadline_missed
// message, then waits for a success and sends one more saying how late it came. Before that it
// starts the next date's watcher, so a day whose run never starts is still noticed.
import {
  condition, defineQuery, defineSignal, ParentClosePolicy, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { addDays } from '../infra/schedules/zoned-time';
import { api } from './activities-proxy';
import { deadlineAt, deadlineWatchId } from './deadline';
import { notifySafely } from './notify-options';

export interface DeadlineWatchInput {
  pipeline: string;
  runDate: string;
}

/** What a run of the date tells its watcher (runs signal; they never wait for an answer). */
export interface RunEvent {
  event: 'started' | 'failed' | 'succeeded';
  workflowId: string;
  runId: string;
  at: string;
  reason?: string;
}

export interface DeadlineWatchResult {
  pipeline: string;
  runDate: string;
  /** Absent when the pipeline has no deadline (any more). */
  deadline?: string;
  /** on-time | missed-then-succeeded | missed-never-succeeded | started-after-deadline | no-deadline */
  verdict: string;
  succeededAt?: string;
}

export const runEventSignal = defineSignal<[RunEvent]>('runEvent');
export const deadlineStatusQuery = defineQuery<{ deadline?: string; last?: RunEvent; missed: boolean }>('status');

/** After a miss, how long a late success is still awaited. */
const LATE_SUCCESS_WAIT = '30 days';

export async function deadlineWatch(input: DeadlineWatchInput): Promise<DeadlineWatchResult> {
  const { pipeline, runDate } = input;
  let last: RunEvent | undefined;
  let succeeded: RunEvent | undefined;
  // What the status query shows: the deadline once known, and whether it was missed.
  const seen: { deadline?: string; missed: boolean } = { missed: false };
  setHandler(runEventSignal, (e) => {
    last = e;
    if (e.event === 'succeeded') succeeded ??= e;
  });
  setHandler(deadlineStatusQuery, () => ({ ...seen, last }));

  // The definition as it is now: a deadline removed or moved since yesterday is respected.
  const plan = await api.resolvePipeline(pipeline);
  if (!plan.deadline) return { pipeline, runDate, verdict: 'no-deadline' };
  const zone = plan.deadline.timeZone ?? 'UTC';
  const due = deadlineAt(runDate, plan.deadline.time, zone);
  const deadlineIso = due.toISOString();
  seen.deadline = deadlineIso;
  const label = `${plan.deadline.time} ${zone}`;
  const wait = due.getTime() - new Date().getTime();
  // A backfill of an old date, or a first run after its deadline: nothing was promised for it.
  if (wait <= 0) return { pipeline, runDate, deadline: deadlineIso, verdict: 'started-after-deadline' };

  await condition(() => succeeded !== undefined, wait);
  await startWatch(pipeline, addDays(runDate, 1));
  if (succeeded) return { pipeline, runDate, deadline: deadlineIso, verdict: 'on-time', succeededAt: succeeded.at };

  seen.missed = true;
  const settings = await api.pipelineSettings();
  const tell = settings.notifyOn?.includes('deadline_missed') ?? false;
  const me = workflowInfo();
  const state = !last ? 'no run has started'
    : last.event === 'failed' ? `the last run failed: ${last.reason ?? 'no reason given'}`
      : `run ${last.workflowId} is still running`;
  if (tell) {
    await notifySafely({
      outcome: 'deadline_missed', pipeline, runDate, reason: `not succeeded by its deadline ${label}: ${state}`,
      workflowId: last?.workflowId ?? me.workflowId, runId: last?.runId ?? me.runId, key: `${me.workflowId}/missed`,
    });
  }
  if (!(await condition(() => succeeded !== undefined, LATE_SUCCESS_WAIT))) {
    return { pipeline, runDate, deadline: deadlineIso, verdict: 'missed-never-succeeded' };
  }
  const late = succeeded!;
  if (tell) {
    const minutes = Math.round((Date.parse(late.at) - due.getTime()) / 60_000);
    await notifySafely({
      outcome: 'deadline_missed', pipeline, runDate,
      reason: `succeeded late, ${minutes < 1 ? 'less than a minute' : `${minutes} min`} after its deadline ${label}`,
      workflowId: late.workflowId, runId: late.runId, key: `${me.workflowId}/late`,
    });
  }
  return { pipeline, runDate, deadline: deadlineIso, verdict: 'missed-then-succeeded', succeededAt: late.at };
}

/** Starts the date's watcher unless one was ever started; it lives on after whoever started it. */
export async function startWatch(pipeline: string, runDate: string): Promise<void> {
  try {
    await startChild(deadlineWatch, {
      workflowId: deadlineWatchId(pipeline, runDate),
      args: [{ pipeline, runDate }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // One watcher per pipeline and date, ever: a rerun after the date succeeded starts none.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
