// The non-retryable failures a run can end with. Workflows match on `type`; the web UI shows
// the message and details.
import { ApplicationFailure } from '@temporalio/common';

export interface SparkStepFailedDetails {
  clusterId: string;
  stepId: string;
  reason: string;
  stderrTail: string;
}

export function sparkStepFailed(details: SparkStepFailedDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'SparkStepFailed',
    nonRetryable: true,
    message: `Spark step ${details.stepId} on ${details.clusterId} failed: ${details.reason}\n--- stderr (tail) ---\n${details.stderrTail}`,
    details: [details],
  });
}

export function stepCancelled(clusterId: string, stepId: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'StepCancelled',
    nonRetryable: true,
    message: `Spark step ${stepId} on ${clusterId} was cancelled: ${reason}`,
    details: [{ clusterId, stepId, reason }],
  });
}

export function clusterTerminated(clusterId: string, stepId: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'ClusterTerminated',
    nonRetryable: true,
    message: `Cluster ${clusterId} ended while step ${stepId} was not finished: ${reason}`,
    details: [{ clusterId, stepId, reason }],
  });
}
