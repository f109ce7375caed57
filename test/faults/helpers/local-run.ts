// A songs-etl setup for worker processes: temp dirs, the tiny dataset, a task queue of its own,
// as EMRFLOW_* variables (what an operator would put in dl.cfg) plus the config they load to.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type EmrflowConfig } from '../../../infra/config';
import { writeTinyDataset } from '../../support/tiny-dataset';

export interface LocalRunEnv {
  env: Record<string, string>;
  config: EmrflowConfig;
  dir: string;
  stateDir: string;
  lake: string;
}

export function localRunEnv(temporalAddress: string, overrides: Record<string, string> = {}): LocalRunEnv {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-fault-'));
  writeTinyDataset(join(dir, 'input'));
  const env = {
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress,
    EMRFLOW_TEMPORAL_TASK_QUEUE: `fault-${randomUUID()}`,
    EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
    EMRFLOW_DATALAKE_INPUT_DATA: join(dir, 'input'),
    EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
    EMRFLOW_LOCAL_STEP_POLL_SECONDS: '1',
    EMRFLOW_LOCAL_DRIVER_MEMORY: '1g',
    ...overrides,
  };
  const { config } = loadConfig({ env, cwd: dir, path: undefined });
  return { env, config, dir, stateDir: config.local.state_dir, lake: config.datalake.output_data };
}
