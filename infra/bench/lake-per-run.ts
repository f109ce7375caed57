// The lake lock grants one output location to one run at a time, so runs of one deployment
// writing one lake never hold their steps at the same time. The capacity benchmarks measure
// what one worker holds when many runs do, as runs writing lakes of their own would: each run's
// lock request goes to a lock of its own (a real, uncontended lakeLock workflow on the same
// worker, granted at once), and each run stages and publishes into a lake of its own
// (benchLakeOf: the simulated step stages there), so concurrent publishes never share a publish
// intent. Everything else about the run is unchanged.
import { join } from 'node:path';
import type { RequestLakeLockInput } from '../../workflows/lake-lock-shared';

/** Where the simulated step of run `runId` (its report id) stages, and where its publish goes. */
export const benchLakeOf = (outputUri: string, runId: string): string => join(outputUri, 'bench-lakes', runId);

interface LakeActivities {
  requestLakeLock(input: RequestLakeLockInput): Promise<{ lockWorkflowId: string }>;
  publishStaged(input: { outputUri: string; runId: string }): Promise<{ published: string[]; seconds: number }>;
}

export function lakePerRun<A extends LakeActivities>(activities: A): A {
  return {
    ...activities,
    requestLakeLock: (input: RequestLakeLockInput) =>
      activities.requestLakeLock({ ...input, lake: `${input.lake.replace(/\/+$/, '')}/bench-lake-of-${input.request.workflowId}` }),
    publishStaged: (input: { outputUri: string; runId: string }) =>
      activities.publishStaged({ ...input, outputUri: benchLakeOf(input.outputUri, input.runId) }),
  };
}
