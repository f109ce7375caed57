// The real pipeline on this machine: real activities with the local provider (real
// spark-submit), a tiny dataset in a temporary directory, the run-wide Temporal server.
import type { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityOptions } from '../../activities';
import type { EmrflowConfig } from '../../infra/config';
import { createWorker } from '../../infra/worker/create-worker';
import { testConfig } from './temporal';
import { tinyLocalRun } from './tiny-dataset';

export interface LocalPipeline {
  config: EmrflowConfig;
  dir: string;
  worker: Worker;
}

/** activityOptions swaps in e.g. another job script; without it the worker runs spark-jobs/etl.py. */
export async function localPipeline(
  connection: NativeConnection, overrides: Record<string, string> = {}, activityOptions?: ActivityOptions,
): Promise<LocalPipeline> {
  const { dir, settings } = tinyLocalRun('emrflow-e2e-');
  const config = testConfig({ ...settings, ...overrides });
  const activities = activityOptions ? createActivities(config, activityOptions) : undefined;
  const worker = await createWorker({ connection, config, activities });
  return { config, dir, worker };
}
