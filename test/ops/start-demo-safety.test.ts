// `npm start` with a dl.cfg written for EMR: the demo still runs on the local provider and the
// sample data, starts no EMR cluster (AWS is unreachable here: any EMR call would fail the run)
// and creates no folder named "s3:" from the config's s3:// URIs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { assertLocalPath } from '../../infra/demo/demo-config';
import { emrflow } from '../support/cli-process';
import { temporalAddress } from '../support/temporal';

const EMR_CFG = `[cluster]
provider = emr
[aws]
region = us-west-2
; Nothing listens here: an EMR or S3 call would fail.
endpoint_url = http://127.0.0.1:9
[s3]
code_uri = s3://my-bucket/emrflow/code
log_uri = s3://my-bucket/emrflow/logs
[datalake]
input_data = s3://my-bucket/input
output_data = s3://my-bucket/lake
`;

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function allPaths(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

test('start with an EMR dl.cfg runs the demo locally, creates no s3: folder and starts no cluster', { timeout: 300_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'emrflow-start-emr-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'dl.cfg'), EMR_CFG, { mode: 0o600 });
  const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), 'start'], {
    cwd, env: { ...process.env, EMRFLOW_CONFIG: '', EMRFLOW_TEMPORAL_ADDRESS: temporalAddress() },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const deadline = Date.now() + 280_000;
    while (!/run completed|run failed/.test(out) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
  } finally {
    child.kill('SIGINT');
    await exited;
  }
  expect(out).toContain('the demo ignores [cluster] provider = emr');
  expect(out, out).toContain('run completed');
  expect(out).toContain('provider local');
  expect(out).toContain('cluster local-');
  expect(out).toContain('on task queue emrflow-demo, and leaves the schedules alone');
  expect(allPaths(cwd).filter((p) => p.split('/').some((part) => part.startsWith('s3:')))).toEqual([]);
  expect(existsSync(join(cwd, '.emrflow', 'sample-data', 'log_data'))).toBe(true);
  expect(existsSync(join(cwd, '.emrflow', 'lake', 'songplays'))).toBe(true);
});

test('start against a remote Temporal server refuses with one line saying how to run the demo', async () => {
  const r = await emrflow(['start'], { EMRFLOW_TEMPORAL_ADDRESS: 'temporal.example.com:7233' });
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n').at(-1)).toBe(
    'emrflow: start runs the local demo on the embedded Temporal server, but [temporal] address = temporal.example.com:7233 is not this machine; run the demo with: EMRFLOW_TEMPORAL_ADDRESS=127.0.0.1:7233 npx emrflow start');
});

test('the sample data is never generated into an s3:// URI', () => {
  expect(() => assertLocalPath('s3://my-bucket/input', '[datalake] input_data')).toThrow('is not a local path');
});
