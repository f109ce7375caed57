// A songs-etl setup for worker processes: temp dirs, the tiny dataset, a task queue of its own,
// as EMRFLOW_* variables (what an operator would put in dl.cfg) plus the config they load to.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Puts a log file for each date into the run's input, where songs-etl's daily input sensor looks
 * for it (log_data/YYYY/MM/YYYY-MM-DD-events.json): tests that run a date the tiny dataset does
 * not cover would otherwise wait at the sensor. The stand-in jobs these tests run do not read it.
 */
export function addDayLogs(run: LocalRunEnv, dates: string[]): void {
  for (const date of dates) {
    const dir = join(run.config.datalake.input_data, 'log_data', date.slice(0, 4), date.slice(5, 7));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${date}-events.json`), '{}\n');
  }
}
