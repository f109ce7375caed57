// Waits for a Spark step to finish, whichever provider runs it: polls at the provider's interval
// (with jitter), heartbeats its progress, resumes after a worker restart from the last heartbeat,
// and turns the outcome into a result or a non-retryable failure. When the activity is
// cancelled it cancels the step before giving up.
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { StepOutcome } from '../workflows/shared';
import { clusterTerminated, sparkStepFailed, stepCancelled } from './errors';
import type { ClusterProvider } from './providers/cluster-provider';

export interface WaitProgress {
  clusterId: string;
  stepId: string;
  state: string;
  elapsedSeconds: number;
}

/** The longest stretch without a heartbeat while waiting between polls. */
export const HEARTBEAT_EVERY_MS = 15_000;

/** Poll interval ± 20 %, so many waiting runs do not poll in lockstep. */
export function jittered(seconds: number, random = Math.random): number {
  return Math.round(seconds * 1000 * (0.8 + 0.4 * random()));
}

export async function waitForStep(
  provider: ClusterProvider,
  step: { clusterId: string; stepId: string },
): Promise<StepOutcome> {
  const ctx = Context.current();
  const { clusterId, stepId } = step;
  const resumed = ctx.info.heartbeatDetails as WaitProgress | undefined;
  const startedMs = Date.now() - (resumed?.elapsedSeconds ?? 0) * 1000;
  try {
    for (;;) {
      const status = await provider.describeStep(clusterId, stepId);
      const elapsedSeconds = Math.round((Date.now() - startedMs) / 1000);
      ctx.heartbeat({ clusterId, stepId, state: status.state, elapsedSeconds } satisfies WaitProgress);
      switch (status.state) {
        case 'COMPLETED':
          return { stepId, state: status.state, startedAt: status.startedAt, endedAt: status.endedAt };
        case 'FAILED': {
          const logs = await provider.stepLogs(clusterId, stepId);
          throw sparkStepFailed({ clusterId, stepId, reason: status.reason ?? 'the step failed', stderrTail: logs.stderrTail });
        }
        case 'CANCELLED':
        case 'CANCEL_PENDING':
        case 'INTERRUPTED': {
          const cluster = await provider.describeCluster(clusterId);
          if (cluster.ended) throw clusterTerminated(clusterId, stepId, cluster.reason ?? cluster.state);
          throw stepCancelled(clusterId, stepId, status.reason ?? status.state);
        }
        default: {
          const cluster = await provider.describeCluster(clusterId);
          if (cluster.ended) throw clusterTerminated(clusterId, stepId, cluster.reason ?? cluster.state);
        }
      }
      // Long poll intervals still heartbeat often enough for the workflow's heartbeat timeout.
      // A provider that can watch the step wakes us early, so its end is seen at once.
      let remaining = jittered(provider.pollSeconds);
      while (remaining > 0) {
        const slice = Math.min(remaining, HEARTBEAT_EVERY_MS);
        const woke = await sleepOrWake(ctx, slice, provider.watchStep && ((signal) => provider.watchStep!(clusterId, stepId, signal)));
        remaining = woke ? 0 : remaining - slice;
        if (remaining > 0) ctx.heartbeat({ clusterId, stepId, state: status.state, elapsedSeconds: Math.round((Date.now() - startedMs) / 1000) } satisfies WaitProgress);
      }
    }
  } catch (e) {
    if (e instanceof CancelledFailure || ctx.cancellationSignal.aborted) {
      await provider.cancelStep(clusterId, stepId).catch((err: Error) => {
        ctx.log.warn(`could not cancel step ${stepId} on ${clusterId}: ${err.message}`);
      });
    }
    throw e;
  }
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
