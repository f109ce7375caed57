// Timeouts and retries of every activity, declared once.
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_ERRORS } from './shared';

const nonRetryableErrorTypes = [...NON_RETRYABLE_ERRORS];

/** Short cloud API calls: create, add step, describe, list, read a report. */
export const apiCall: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  // The worker heartbeats while the call runs (infra/worker/keep-alive.ts): a worker killed
  // mid-call is noticed after 20 s, not after the 2 minutes above.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};

/**
 * Waiting for the Spark step: hours long, kept alive by heartbeats. On cancellation the workflow
 * waits for the activity to cancel the step before it moves on to terminate the cluster.
 */
export const stepWait: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes },
};

/** Terminating a cluster: it costs money while it lives, so keep trying for about half an hour. */
export const clusterCleanup: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 20, nonRetryableErrorTypes: ['ConfigError'] },
};

/** A sensor's wait: as long as its own timeout (it fails itself then), kept alive by heartbeats. */
export function inputWait(timeoutMinutes: number): ActivityOptions {
  return {
    startToCloseTimeout: `${timeoutMinutes + 10} minutes`,
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes },
  };
}

