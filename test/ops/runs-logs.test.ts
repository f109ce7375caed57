// The day-2 commands as an operator uses them: `runs list`, `runs show`, `logs` and `rerun` on a
// real local run (spark-submit of a job that fails, then a rerun that completes), and `logs` of an
// EMR run reading the step's log from S3 (moto).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import { addDayLogs, localRunEnv, type LocalRunEnv } from '../faults/helpers/local-run';
import { emrflow } from '../support/cli-process';
import { fakeActivities } from '../support/fake-activities';
import { emrSettings, startMoto, type Moto } from '../support/moto';
import { connectForTest, temporalAddress, testConfig } from '../support/temporal';
import { awsClients } from '../aws/fixtures/aws-cli';

const FAIL_JOB = join(import.meta.dirname, '../activities/fixtures/fail.py');
const OK_JOB = join(import.meta.dirname, '../faults/fixtures/sleepy_job.py');
// A date no other test file uses: the shared server keeps one workflow id per manual run date.
const DATE = '2017-03-09';
const ID = `songs-etl-${DATE}`;

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

const cli = (args: string[], extra: Record<string, string> = {}) => emrflow(args, { ...run.env, ...extra });

test('a failed local run: runs list/show name it and its failure, logs prints the driver output, rerun completes the day', async () => {
  const failing = await createWorker({ connection: conn.native, config: run.config, activities: createActivities(run.config, { jobScript: FAIL_JOB }) });
  const started = await failing.runUntil(async () => {
    const r = await cli(['run', '--date', DATE, '--wait']);
    expect(r.code, r.stderr).toBe(1);
    return r;
  });
  expect(started.stderr).toContain(`started ${ID}`);

  const list = await cli(['runs', 'list', '--pipeline', 'songs-etl', '--status', 'failed', '--since', '1h', '--limit', '1000', '--json']);
  expect(list.code, list.stderr).toBe(0);
  const rows = JSON.parse(list.stdout) as { workflowId: string; status: string; runDate: string; clusterId: string }[];
  expect(rows.find((r) => r.workflowId === ID)).toMatchObject({ status: 'FAILED', runDate: DATE, clusterId: expect.stringMatching(/^local-/) });
  const text = await cli(['runs', 'list', '--since', '1h', '--limit', '1000']);
  expect(text.stdout.split('\n')[0]).toMatch(/^WORKFLOW ID\s+STATUS\s+PIPELINE\s+RUN DATE\s+STARTED \(UTC\)\s+CLUSTER$/);
  expect(text.stdout).toMatch(new RegExp(`^${ID}\\s+FAILED\\s+songs-etl\\s+${DATE}`, 'm'));

  const show = await cli(['runs', 'show', ID, '--json']);
  expect(show.code, show.stderr).toBe(0);
  const detail = JSON.parse(show.stdout) as Record<string, string>;
  expect(detail).toMatchObject({ workflowId: ID, status: 'FAILED', pipeline: 'songs-etl', runDate: DATE });
  expect(detail.failure).toContain('fixture exploded on purpose');
  expect(detail.url).toMatch(new RegExp(`/workflows/${ID}/`));
  const showText = await cli(['runs', 'show', ID]);
  expect(showText.stdout).toMatch(/^status:\s+FAILED$/m);
  expect(showText.stdout).toMatch(/^failure:\s+task etl, stage waitForStep: /m);
  expect(showText.stdout).toContain('RuntimeError: fixture exploded on purpose');

  const logs = await cli(['logs', ID, '--stdout']);
  expect(logs.code, logs.stderr).toBe(0);
  expect(logs.stdout).toContain('RuntimeError: fixture exploded on purpose: bad record in song_data');

  const refused = await cli(['rerun', DATE], { EMRFLOW_TEMPORAL_TASK_QUEUE: `${run.config.temporal.task_queue}-nobody` });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('no worker polls task queue');

  const fixed = await createWorker({ connection: conn.native, config: run.config, activities: createActivities(run.config, { jobScript: OK_JOB }) });
  const rerun = await fixed.runUntil(cli(['rerun', DATE, '--wait', '--json']));
  expect(rerun.code, rerun.stderr).toBe(0);
  const out = JSON.parse(rerun.stdout) as { status: string; previous: { status: string }; result: { runDate: string; mode: string } };
  expect(out).toMatchObject({ status: 'COMPLETED', previous: { status: 'FAILED' }, result: { runDate: DATE, mode: 'daily', cost: { provider: 'local', estimatedUsd: 0 } } });
  // The completed run's estimated cost, as `runs show` prints it (#15).
  const shownCost = await cli(['runs', 'show', ID]);
  // Each task on its line with its kind and step; each stage named with its task.
  expect(shownCost.stdout).toMatch(/^ {2}etl \[spark\] succeeded, step s-\w+$/m);
  expect(shownCost.stdout).toMatch(/^ {2}audit \[check\] succeeded$/m);
  expect(shownCost.stdout).toMatch(/^stages: .*etl\.waitForStep \d+\.\d s/m);
  expect(shownCost.stdout).toMatch(/^cost:\s+\$0\.00 estimated at the default us-east-1 prices \(spark-submit on this machine for \d+ s: nothing billed\)$/m);

  const again = await cli(['rerun', DATE]);
  expect(again.code).toBe(2);
  expect(again.stderr.trim().split('\n').at(-1)).toBe(`emrflow: the latest run for ${DATE} (${ID}) completed; add --force to run the day again`);
}, 300_000);

test('runs show, logs and cancel of an unknown run: the same line, exit 2; bad filters: one line', async () => {
  for (const args of [['runs', 'show', 'no-such-run'], ['logs', 'no-such-run'], ['cancel', 'no-such-run']]) {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('emrflow: no run with workflow id no-such-run in namespace default (see: emrflow runs list)');
  }
  const status = await cli(['runs', 'list', '--status', 'exploded']);
  expect(status.stderr.trim()).toBe('emrflow: --status exploded: expected one of running, completed, failed, cancelled, terminated, timed_out, continued_as_new');
  const since = await cli(['runs', 'list', '--since', 'yesterday']);
  expect(since.stderr.trim()).toBe('emrflow: --since yesterday: expected a date YYYY-MM-DD or a duration such as 24h or 7d');
});

describe('on EMR (moto)', () => {
  let moto: Moto;
  beforeAll(async () => { moto = await startMoto(); });
  afterAll(async () => moto?.stop());

  test('logs reads the step log EMR copied to [s3] log_uri, and says where to look while it is not there', async () => {
    const env = emrSettings(moto.endpoint);
    const config = testConfig(env);
    const fake = fakeActivities();
    const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
    const workflowId = `logs-emr-${Date.now()}`;
    await worker.runUntil(conn.client.workflow.execute('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-15' }] }));
    const cliEnv = { ...env, EMRFLOW_TEMPORAL_ADDRESS: temporalAddress() };

    const missing = await emrflow(['logs', workflowId], cliEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('s3://emrflow-logs/logs/j-FAKE1/steps/s-FAKE1/stderr.gz is not there yet: EMR copies step logs to S3 every few minutes');

    const { s3 } = awsClients(moto.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'emrflow-logs', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: 'logs/j-FAKE1/steps/s-FAKE1/stderr.gz', Body: gzipSync('Traceback: the driver said so\n') }));
    const found = await emrflow(['logs', workflowId, '--stderr'], cliEnv);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toBe('Traceback: the driver said so\n');
  }, 120_000);
});
