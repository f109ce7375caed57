// Turns what a stage threw into the run's failure: names the task and the stage, keeps
// cancellation as is, and never repeats a message its cause already gives.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';

/** "stage preflight" for the run's own stages, "task etl, stage waitForStep" for a task's. */
export const stageLabel = (stage: string, task?: string): string => (task ? `task ${task}, stage ${stage}` : `stage ${stage}`);

export function stageFailure(stage: string, err: unknown, task?: string): unknown {
  if (isCancellation(err)) return err;
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'StageFailed')
    : cause instanceof TimeoutFailure ? 'StageTimedOut' : 'StageFailed';
  const message = cause instanceof Error ? cause.message : String(cause);
  const label = stageLabel(stage, task);
  // Already labelled (a nested stage, or a failure this file made): pass it on unchanged.
  if (cause instanceof ApplicationFailure && /^(task \S+, )?stage \S+: /.test(message) && err === cause) return err;
  return ApplicationFailure.create({
    type,
    message: `${label}: ${message}`,
    nonRetryable: true,
    details: cause instanceof ApplicationFailure ? (cause.details ?? undefined) : undefined,
    // The cause's message is already in ours: keeping it as the cause would make clients that
    // print the chain (the CLI, the web UI) say it twice.
    cause: cause instanceof ApplicationFailure && cause.cause instanceof Error ? cause.cause : undefined,
  });
}

/** The step's stderr tail when the activity's failure already carries it. */
export function stderrTailIn(failure: ApplicationFailure): string | undefined {
  const detail: unknown = failure.details?.[0];
  if (detail && typeof detail === 'object' && 'stderrTail' in detail && typeof detail.stderrTail === 'string') {
    return detail.stderrTail;
  }
  return undefined;
}
