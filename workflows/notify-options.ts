// The notify activity as workflows call it. Its retry policy: a webhook that is briefly down or
// answers 5xx gets the message on a later attempt (about 15 s of backoff over 5 attempts); after
// that the caller logs and goes on, because a notification never changes a run's outcome.
import { CancellationScope, log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { EmrflowActivities, NotifyRequest } from './shared';

export const notifyCall: ActivityOptions = {
  // Each webhook gets 10 s to answer (activities/notify/post.ts); several are posted in turn.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
};

const { notify } = proxyActivities<EmrflowActivities>(notifyCall);

/** Sends one message; a webhook that keeps failing (after the retries) is logged, never thrown. */
export async function notifySafely(request: NotifyRequest): Promise<boolean> {
  try {
    // Also after a cancel request: the message about how things ended still goes out.
    await CancellationScope.nonCancellable(() => notify(request));
    return true;
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    log.warn('notification not delivered; the outcome stands', { outcome: request.outcome, workflowId: request.workflowId, error: String(cause) });
    return false;
  }
}
