// A songs-etl setup for worker processes: temp dirs, the tiny dataset, a task queue of its own,
// as EMRFLOW_* variables (what an operator would put in dl.cfg) plus the config they load to.
import { randomUUID } from 'node:crypto';
import { loadConfig, type EmrflowConfig } from '../../../infra/config';
import { tinyLocalRun } from '../../support/tiny-dataset';

export interface LocalRunEnv {
  env: Record<string, string>;
  config: EmrflowConfig;
  dir: string;
  stateDir: string;
  lake: string;
}

export function localRunEnv(temporalAddress: string, overrides: Record<string, string> = {}): LocalRunEnv {
  const { dir, settings } = tinyLocalRun('emrflow-fault-');
  const env = {
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress,
    EMRFLOW_TEMPORAL_TASK_QUEUE: `fault-${randomUUID()}`,
    ...settings,
    ...overrides,
  };
  const { config } = loadConfig({ env, cwd: dir, path: undefined });
  return { env, config, dir, stateDir: config.local.state_dir, lake: config.datalake.output_data };
}
