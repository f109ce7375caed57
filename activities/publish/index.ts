// The orchestrator's side of write-audit-publish: recover a pending publish, publish a run's
// staged tables, clean old staging; and the lake lock's plumbing. Merged into the worker's
// activities (activities/index.ts).
import { Context } from '@temporalio/activity';
import type { S3Client } from '@aws-sdk/client-s3';
import { cleanStaging } from './clean-staging';
import { createLockActivities, type LockDeps } from './lock-activities';
import { publish, recover, type PublishObserver, type PublishStep } from './protocol';
import { lakeStorage } from './storage';

export interface PublishDeps extends LockDeps {
  s3: () => S3Client;
  /** The clock cleanStaging ages staging against (tests). */
  now?: () => Date;
}

function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** How often the last step is heartbeated again while one step (a long copy) runs. */
const REPEAT_MS = 3_000;

/**
 * Runs a publish step by step, heartbeating each step with what it is doing (and repeating the
 * last one while a step runs), so the web UI shows where a publish is and a dead worker is
 * noticed at the heartbeat timeout. Outside an activity (scripts, benchmarks) it only runs.
 */
async function heartbeating<T>(fn: (observer: PublishObserver) => Promise<T>): Promise<T> {
  const ctx = inActivity();
  if (!ctx) return fn({});
  let last: PublishStep | undefined;
  const timer = setInterval(() => ctx.heartbeat(last), REPEAT_MS);
  try {
    return await fn({ onStep: (step) => { last = step; ctx.heartbeat(step); } });
  } finally {
    clearInterval(timer);
  }
}

export function createPublishActivities(deps: PublishDeps) {
  const storage = (outputUri: string) => lakeStorage(outputUri, deps.s3);
  return {
    ...createLockActivities(deps),
    /** Completes a publish that a killed run left half done (written by this side or by etl.py). */
    async recoverPublish(input: { outputUri: string }): Promise<{ recovered: string | null }> {
      const recovered = await heartbeating((o) => recover(storage(input.outputUri), o));
      if (recovered) inActivity()?.log.warn(`completed the interrupted publish of run ${recovered} in ${input.outputUri}`);
      return { recovered };
    },
    /** Publishes `<output>/_staging/<runId>` by its manifest; a retry resumes where the last attempt stopped. */
    async publishStaged(input: { outputUri: string; runId: string }): Promise<{ published: string[]; seconds: number }> {
      const started = performance.now();
      const { published, rolledForward } = await heartbeating((o) => publish(storage(input.outputUri), input.runId, o));
      if (rolledForward) inActivity()?.log.warn(`completed the interrupted publish of run ${rolledForward} in ${input.outputUri} first`);
      return { published, seconds: Math.round(performance.now() - started) / 1000 };
    },
    /** Removes staging older than keepHours that no pending publish refers to. */
    async cleanStaging(input: { outputUri: string; keepHours: number }): Promise<{ removed: string[] }> {
      return { removed: await cleanStaging(storage(input.outputUri), input.keepHours, deps.now?.()) };
    },
  };
}

export type PublishActivities = ReturnType<typeof createPublishActivities>;
