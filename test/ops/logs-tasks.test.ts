// `emrflow logs` of a run with several spark tasks (sparkify-reports: two reports side by side):
// one section per task under a header naming it, `--task` for one, `--attempt` for one attempt,
// and one line (exit 2) for a task the run does not have. Real worker and local spark-submit;
// every task runs a job that fails inside Spark, so each has a log worth reading.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import { addDayLogs, localRunEnv, type LocalRunEnv } from '../faults/helpers/local-run';
import { emrflow } from '../support/cli-process';
import { connectForTest, temporalAddress } from '../support/temporal';

const FAIL_JOB = join(import.meta.dirname, '../activities/fixtures/fail.py');
// A date no other test file uses: the shared server keeps one workflow id per pipeline and date.
const DATE = '2017-04-11';
const ID = `sparkify-reports-${DATE}`;

let conn: Awaited<ReturnType<typeof connectForTest>>;
let run: LocalRunEnv;
beforeAll(async () => {
  conn = await connectForTest();
  run = localRunEnv(temporalAddress());
  addDayLogs(run, [DATE]);
});
afterAll(async () => {
  await conn?.close();
  rmSync(run.dir, { recursive: true, force: true });
});

const cli = (args: string[]) => emrflow(args, run.env);

test('logs of a run with several tasks: a section per task, --task and --attempt pick one, an unknown task is one line', async () => {
  const worker = await createWorker({ connection: conn.native, config: run.config, activities: createActivities(run.config, { jobScript: FAIL_JOB }) });
  const r = await worker.runUntil(cli(['run', 'sparkify-reports', '--date', DATE, '--wait']));
  expect(r.code, r.stderr).toBe(1);

  const all = await cli(['logs', ID, '--stdout']);
  expect(all.code, all.stderr).toBe(0);
  const headers = all.stdout.split('\n').filter((l) => l.startsWith('==> '));
  expect(headers.map((h) => h.replace(/step s-\w+ on local-\w+/, 'step …')).sort()).toEqual([
    '==> task plays-by-level, attempt 1: step … <==',
    '==> task top-songs, attempt 1: step … <==',
  ]);
  // Each section holds its own step's driver output.
  for (const section of all.stdout.split(/^==> .*$/m).slice(1)) expect(section).toContain('fixture exploded on purpose');

  const one = await cli(['logs', ID, '--stdout', '--task', 'top-songs', '--attempt', '1']);
  expect(one.code, one.stderr).toBe(0);
  expect(one.stdout).not.toContain('==> ');
  expect(one.stdout).toContain('fixture exploded on purpose');

  const unknown = await cli(['logs', ID, '--task', 'nope']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim().split('\n').at(-1)).toBe(`emrflow: run ${ID} has no step of task "nope" (tasks with a step: plays-by-level, top-songs)`);
  const attempt = await cli(['logs', ID, '--task', 'top-songs', '--attempt', '2']);
  expect(attempt.code).toBe(2);
  expect(attempt.stderr.trim().split('\n').at(-1)).toBe(`emrflow: task top-songs of run ${ID} has no attempt 2 (attempts: 1)`);
}, 300_000);
