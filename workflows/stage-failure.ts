// Turns what a stage threw into the run's failure: names the stage, keeps cancellation as is.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';
import type { SongsEtlStage } from './shared';

export function stageFailure(stage: SongsEtlStage, err: unknown): unknown {
  if (isCancellation(err)) return err;
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'StageFailed')
    : cause instanceof TimeoutFailure ? 'StageTimedOut' : 'StageFailed';
  const message = cause instanceof Error ? cause.message : String(cause);
  return ApplicationFailure.create({
    type,
    message: `stage ${stage}: ${message}`,
    nonRetryable: true,
    details: cause instanceof ApplicationFailure ? (cause.details ?? undefined) : undefined,
    cause: cause instanceof Error ? cause : undefined,
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
