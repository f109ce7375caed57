// Timeouts and retries for the publish activities (recoverPublish, publishStaged, cleanStaging),
// for the run workflow to proxy them with. A publish heartbeats each step and repeats it every
// few seconds, so a dead worker is noticed at the heartbeat timeout and another one resumes the
// intent where it stopped. A publish that keeps failing stops after ~10 attempts; its intent
// stays, and the lake's next run completes it before anything else.
import type { ActivityOptions } from '@temporalio/workflow';

export const publishCall: ActivityOptions = {
  // Moving a large lake's month on S3 is many copies; the heartbeat, not this, catches a dead worker.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10,
    nonRetryableErrorTypes: ['PublishInputInvalid'],
  },
};
