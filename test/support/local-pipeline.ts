// The real pipeline on this machine: real activities with the local provider (real
// spark-submit), a tiny dataset in a temporary directory, the run-wide Temporal server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityOptions } from '../../activities';
import type { EmrflowConfig } from '../../infra/config';
import { createWorker } from '../../infra/worker/create-worker';
import { testConfig } from './temporal';
import { writeTinyDataset } from './tiny-dataset';

export interface LocalPipeline {
  config: EmrflowConfig;
  dir: string;
  worker: Worker;
}

/** activityOptions swaps in e.g. another job script; without it the worker runs spark-jobs/etl.py. */
export async function localPipeline(
  connection: NativeConnection, overrides: Record<string, string> = {}, activityOptions?: ActivityOptions,
): Promise<LocalPipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-e2e-'));
  writeTinyDataset(join(dir, 'input'));
  const config = testConfig({
    EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
    EMRFLOW_DATALAKE_INPUT_DATA: join(dir, 'input'),
    EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
    EMRFLOW_LOCAL_STEP_POLL_SECONDS: '1',
    EMRFLOW_LOCAL_DRIVER_MEMORY: '1g',
    ...overrides,
  });
  const activities = activityOptions ? createActivities(config, activityOptions) : undefined;
  const worker = await createWorker({ connection, config, activities });
  return { config, dir, worker };
}
