// Waits for a Spark step to finish, whichever provider runs it: polls at the provider's interval
// (with jitter), heartbeats its progress, resumes after a worker restart from the last heartbeat,
// and turns the outcome into a result or a non-retryable failure. Only a cancel a person or the
// workflow asked for cancels the step; a stopping worker hands the wait over (see below).
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { StepOutcome } from '../workflows/shared';
import { budgetExceeded, isOverBudget, type Budget } from './cost/budget';
import type { Prices } from './cost/prices';
import { estimateCost } from './cost/run-cost';
import { clusterTerminated, sparkStepFailed, stepCancelled } from './errors';
import type { ClusterProvider, StepStatus } from './providers/cluster-provider';

export interface WaitProgress {
  clusterId: string;
  stepId: string;
  state: string;
  elapsedSeconds: number;
  /** The provider's finer state (EMR Serverless: SUBMITTED, PENDING, SCHEDULED, QUEUED, RUNNING) and the seconds it has been in it. */
  detail?: string;
  detailSeconds?: number;
}

/** The longest stretch without a heartbeat while waiting between polls. */
export const HEARTBEAT_EVERY_MS = 15_000;

/** Poll interval ± 20 %, so many waiting runs do not poll in lockstep. */
export function jittered(seconds: number, random = Math.random): number {
  return Math.round(seconds * 1000 * (0.8 + 0.4 * random()));
}

/** A budget to hold the run to while it waits, and the prices that turn usage into dollars. */
export interface WaitBudget { budget: Budget; prices: Prices }

export async function waitForStep(
  provider: ClusterProvider,
  step: { clusterId: string; stepId: string },
  spend?: WaitBudget,
): Promise<StepOutcome> {
  const ctx = Context.current();
  const { clusterId, stepId } = step;
  const resumed = ctx.info.heartbeatDetails as WaitProgress | undefined;
  const startedMs = Date.now() - (resumed?.elapsedSeconds ?? 0) * 1000;
  // Time in the provider's own state, carried over a resume like the elapsed time.
  let detail = resumed?.detail;
  let detailSinceMs = Date.now() - (resumed?.detailSeconds ?? 0) * 1000;
  const progress = (state: string): WaitProgress => ({
    clusterId, stepId, state, elapsedSeconds: Math.round((Date.now() - startedMs) / 1000),
    ...(detail !== undefined && { detail, detailSeconds: Math.round((Date.now() - detailSinceMs) / 1000) }),
  });
  try {
    for (;;) {
      let status = await provider.describeStep(clusterId, stepId);
      if (status.detail !== detail) {
        detail = status.detail;
        detailSinceMs = Date.now();
      }
      ctx.heartbeat(progress(status.state));
      switch (status.state) {
        case 'COMPLETED':
          return { stepId, state: status.state, startedAt: status.startedAt, endedAt: status.endedAt };
        case 'FAILED': {
          // EMR pushes logs minutes late: keep heartbeating (with the same progress) while waiting.
          const failed = progress(status.state);
          const logs = await provider.stepLogs(clusterId, stepId, { onWait: () => ctx.heartbeat(failed) });
          throw sparkStepFailed({ clusterId, stepId, reason: status.reason ?? 'the step failed', stderrTail: logs.stderrTail });
        }
        case 'CANCELLED':
        case 'CANCEL_PENDING':
        case 'INTERRUPTED': {
          const cluster = await provider.describeCluster(clusterId);
          if (cluster.ended) {
            status = await finalState(provider, clusterId, stepId, status);
            if (isSettled(status)) continue;
            throw clusterTerminated(clusterId, stepId, cluster.reason ?? cluster.state);
          }
          throw stepCancelled(clusterId, stepId, status.reason ?? status.state);
        }
        default: {
          const cluster = await provider.describeCluster(clusterId);
          if (cluster.ended) {
            // The cluster ends itself once its step ends (KeepJobFlowAliveWhenNoSteps=false):
            // "RUNNING, then the cluster ended" is usually a step that finished between the two
            // calls. Its own final state decides; only a step left unfinished is the cluster's fault.
            status = await finalState(provider, clusterId, stepId, status);
            if (isSettled(status)) continue;
            throw clusterTerminated(clusterId, stepId, cluster.reason ?? cluster.state);
          }
          if (spend) await holdToBudget(provider, step, spend);
        }
      }
      // Long poll intervals still heartbeat often enough for the workflow's heartbeat timeout.
      // A provider that can watch the step wakes us early, so its end is seen at once.
      let remaining = jittered(provider.pollSeconds);
      while (remaining > 0) {
        const slice = Math.min(remaining, HEARTBEAT_EVERY_MS);
        const woke = await sleepOrWake(ctx, slice, provider.watchStep && ((signal) => provider.watchStep!(clusterId, stepId, signal)));
        remaining = woke ? 0 : remaining - slice;
        if (remaining > 0) ctx.heartbeat(progress(status.state));
      }
    }
  } catch (e) {
    if (!(e instanceof CancelledFailure || ctx.cancellationSignal.aborted)) throw e;
    if (cancelWasRequested(ctx, e)) {
      await provider.cancelStep(clusterId, stepId).catch((err: Error) => {
        ctx.log.warn(`could not cancel step ${stepId} on ${clusterId}: ${err.message}`);
      });
      throw e;
    }
    // The worker is stopping (or the server lost track of this attempt): the step is not ours to
    // stop. A retryable failure now lets another worker resume the wait within seconds, from
    // this heartbeat, instead of this worker holding on until the step ends.
    throw ApplicationFailure.create({
      type: 'WaitHandedOver',
      nonRetryable: false,
      message: `the wait for step ${stepId} on ${clusterId} was handed to another worker (${cancellationReason(ctx, e)}); the step keeps running`,
    });
  }
}

/**
 * True only when a person or the workflow asked for the cancel (RequestCancelActivityTask): not
 * when the worker shuts down, the attempt timed out, or the activity was paused or reset.
 */
function cancelWasRequested(ctx: Context, e: unknown): boolean {
  const details = ctx.cancellationDetails;
  if (details) return details.cancelRequested;
  // Without details, the SDK's reason ('CANCELLED', 'WORKER_SHUTDOWN', 'TIMED_OUT', …) is the
  // CancelledFailure's message.
  const reason = ctx.cancellationSignal.reason as unknown;
  const failure = e instanceof CancelledFailure ? e : reason instanceof CancelledFailure ? reason : undefined;
  return failure?.message === 'CANCELLED';
}

function cancellationReason(ctx: Context, e: unknown): string {
  const d = ctx.cancellationDetails;
  if (d?.workerShutdown) return 'the worker is shutting down';
  if (d?.timedOut) return 'this attempt timed out';
  if (d?.paused) return 'the activity was paused';
  if (d?.reset) return 'the activity was reset';
  if (d?.notFound) return 'the server no longer knows this attempt';
  return e instanceof Error ? e.message : String(e);
}

/**
 * Past the budget: stop the step (the workflow then terminates the cluster) and fail for good,
 * with the figures. The step is cancelled before the failure is thrown, so a run that fails
 * BudgetExceeded has nothing of its own left running once its cluster is terminated.
 */
async function holdToBudget(provider: ClusterProvider, step: { clusterId: string; stepId: string }, spend: WaitBudget): Promise<void> {
  const cost = estimateCost(await provider.usage(step.clusterId), spend.prices);
  if (!isOverBudget(cost, spend.budget)) return;
  await provider.cancelStep(step.clusterId, step.stepId);
  throw budgetExceeded(cost, spend.budget, step);
}

const isSettled = (s: StepStatus): boolean => s.state === 'COMPLETED' || s.state === 'FAILED';

/** The step's state once more, after its cluster was seen ended. */
function finalState(provider: ClusterProvider, clusterId: string, stepId: string, last: StepStatus): Promise<StepStatus> {
  return provider.describeStep(clusterId, stepId).catch(() => last);
}

/** Sleeps `ms` (cancellable like ctx.sleep); true when `watch` resolved first. */
async function sleepOrWake(ctx: Context, ms: number, watch?: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
  if (!watch) {
    await ctx.sleep(ms);
    return false;
  }
  const stop = new AbortController();
  try {
    return await Promise.race([ctx.sleep(ms).then(() => false), watch(stop.signal).then(() => true)]);
  } finally {
    stop.abort();
  }
}
