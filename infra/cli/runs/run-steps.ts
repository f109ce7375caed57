// Every step a run added, with its task and attempt, read from the run's event history: each
// addStep activity's input names the task and attempt, its result the step. Works for running,
// failed and completed runs alike, with or without a worker (the status query needs one, and
// keeps only each task's latest step).
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { StepRef as AddedStep, StepSubmission } from '../../../workflows/shared';

export interface RunStep { task: string; attempt: number; clusterId: string; stepId: string }

type Payloads = { payloads?: unknown[] | null } | null | undefined;

function first<T>(p: Payloads): T | undefined {
  const payload = p?.payloads?.[0];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0]);
  } catch {
    return undefined;
  }
}

/** In the order the run added them; a step of a run without tasks (older runs) is task "etl". */
export async function runSteps(client: Client, workflowId: string): Promise<RunStep[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, StepSubmission>();
  const steps: RunStep[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'addStep') {
      const input = first<StepSubmission>(s.input);
      if (input) scheduled.set(String(e.eventId), input);
    }
    const c = e.activityTaskCompletedEventAttributes;
    const input = c ? scheduled.get(String(c.scheduledEventId)) : undefined;
    if (c && input) {
      const added = first<AddedStep>(c.result);
      if (added) steps.push({ task: input.task?.id ?? 'etl', attempt: input.task?.attempt ?? 1, clusterId: added.clusterId, stepId: added.stepId });
    }
  }
  return steps;
}

/** The steps `logs` prints: the latest attempt of each task (or of `--task`), or `--attempt` N of it. */
export function selectSteps(steps: RunStep[], task?: string, attempt?: number): RunStep[] {
  const tasks = [...new Set(steps.map((s) => s.task))];
  const chosen = task === undefined ? tasks : tasks.filter((t) => t === task);
  return chosen.map((t) => {
    const mine = steps.filter((s) => s.task === t);
    return attempt === undefined ? mine.at(-1)! : mine.find((s) => s.attempt === attempt)!;
  }).filter(Boolean);
}
