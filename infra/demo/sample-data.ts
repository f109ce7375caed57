// The demo's input: a small generated Sparkify dataset (a few MB), made on first use and kept.
// It is generated into a temporary directory and renamed into place, so an interrupted run
// never leaves half a dataset that later runs would mistake for the real thing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmrflowConfig } from '../config';
import { repoRoot, venvBin } from '../paths';
import { assertLocalPath } from './demo-config';

export const SAMPLE_ARGS = ['--songs', '200', '--events', '5000', '--start-date', '2018-11-01', '--days', '30', '--seed', '42'];

export function ensureSampleData(config: EmrflowConfig, log: (line: string) => void): void {
  const target = config.datalake.input_data;
  assertLocalPath(target, '[datalake] input_data');
  if (existsSync(join(target, 'log_data')) && existsSync(join(target, 'song_data'))) return;
  if (existsSync(target)) throw new Error(`[datalake] input_data ${target} exists but has no song_data/ and log_data/`);
  log(`generating the sample data into ${target} …`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = spawnSync(venvBin('python'), [join(repoRoot, 'spark-jobs', 'generate_data.py'), ...SAMPLE_ARGS, '--out', tmp], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`generating the sample data failed (exit ${r.status})`);
  }
  renameSync(tmp, target);
  log(r.stdout.trim().split('\n').at(-1) ?? 'sample data generated');
}
