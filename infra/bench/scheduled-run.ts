// One songs-etl run started by triggering a schedule, timed from the trigger to the run's close,
// with the step's own start and end as the provider recorded them.
import type { Client, ScheduleHandle } from '@temporalio/client';
import type { ClusterProvider } from '../../activities/providers/cluster-provider';
import type { SongsEtlSummary } from '../../workflows/shared';

export interface RunTiming {
  triggeredMs: number;
  startedMs: number;
  closedMs: number;
  stepStartMs: number;
  stepEndMs: number;
  summary: SongsEtlSummary;
}

export async function createBenchSchedule(client: Client, scheduleId: string, taskQueue: string): Promise<ScheduleHandle> {
  return client.schedule.create({
    scheduleId,
    // Once a year: every run in the benchmark comes from trigger().
    spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 0, minute: 0 }] },
    action: { type: 'startWorkflow', workflowType: 'songsEtl', workflowId: scheduleId, taskQueue, args: [{ mode: 'full' }] },
  });
}

export async function triggerAndTime(client: Client, schedule: ScheduleHandle, provider: ClusterProvider): Promise<RunTiming> {
  const taken = (await schedule.describe()).info.numActionsTaken;
  const triggeredMs = Date.now();
  await schedule.trigger();
  let workflowId: string | undefined;
  for (let tries = 0; !workflowId; tries += 1) {
    const info = (await schedule.describe()).info;
    if (info.numActionsTaken > taken) workflowId = info.recentActions.at(-1)?.action.workflow.workflowId;
    else if (tries > 1500) throw new Error(`schedule ${schedule.scheduleId} started no workflow within 30 s of the trigger`);
    else await new Promise((r) => setTimeout(r, 20));
  }
  const handle = client.workflow.getHandle(workflowId);
  const summary = (await handle.result()) as SongsEtlSummary;
  const described = await handle.describe();
  const step = await provider.describeStep(summary.clusterId!, summary.stepId);
  if (!step.startedAt || !step.endedAt) throw new Error(`step ${summary.stepId} has no start or end time`);
  return {
    triggeredMs,
    startedMs: described.startTime.getTime(),
    closedMs: described.closeTime!.getTime(),
    stepStartMs: Date.parse(step.startedAt),
    stepEndMs: Date.parse(step.endedAt),
    summary,
  };
}

/** Seconds between the step's end and the moment the workflow saw waitForStep return. */
export function stepEndNoticedAfter(t: RunTiming): number {
  const wait = t.summary.stages.find((s) => s.stage === 'waitForStep');
  return wait?.endedAt ? (Date.parse(wait.endedAt) - t.stepEndMs) / 1000 : NaN;
}
