// Issue #15, "What it must show", with [cluster] provider = emr-serverless against moto: after
// `aws bootstrap` (buckets, execution role, application), a run of songs-etl starts exactly one
// job run whose entry point is the staged script and whose arguments carry the run date; a cancel
// cancels it (and leaves the shared application alone); a worker SIGKILLed while the run waits
// is replaced, the new worker resumes the wait and the run fails as the job run did, with its
// stateDetails and the driver's stderr tail. The real worker (`emrflow worker`) runs the real
// workflow and activities; the test moves the job runs, which moto never runs. The sweeper
// cancels a job run whose run is gone. A run that completes: the test plays the job run, which
// moto never runs (it stages what `etl.py --stage-only` would, test/support/etl-staging.ts, then
// ends the job run with its billed utilization); the run audits, publishes and registers the
// tables, and its summary says what the job run cost.
import { GetApplicationCommand, type EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { emrServerlessClient, glueClient, iamClient, s3Client, stsClient } from '../../activities/aws-clients';
import { DEFAULT_PRICES } from '../../activities/cost/prices';
import { bootstrap } from '../../infra/aws/bootstrap';
import { loadConfig, type EmrflowConfig } from '../../infra/config';
import { etlScript } from '../../infra/paths';
import { EmrServerlessProvider } from '../../activities/providers/emr-serverless/emr-serverless-provider';
import { SPARKIFY_TABLES } from '../../pipelines/sparkify-tables';
import { reportIdFor } from '../../workflows/run-input';
import type { SongsEtlSummary } from '../../workflows/shared';
import { cliWorker, type WorkerProcess } from '../faults/helpers/worker-process';
import { emrflow } from '../support/cli-process';
import { etlArgs, stageLikeEtl } from '../support/etl-staging';
import { serverlessSettings, startMoto, type Moto, type MotoJobRun } from '../support/moto';
import { connectForTest, temporalAddress } from '../support/temporal';

let moto: Moto;
let config: EmrflowConfig;
let env: Record<string, string>;
let s3: S3Client;
let serverless: EMRServerlessClient;
let conn: Awaited<ReturnType<typeof connectForTest>>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [moto, conn] = await Promise.all([startMoto(), connectForTest()]);
  env = {
    ...serverlessSettings(moto.endpoint),
    EMRFLOW_AWS_REGION: 'us-west-2',
    EMRFLOW_DATALAKE_OUTPUT_DATA: `s3://emrflow-lake/serverless-${randomUUID().slice(0, 8)}`,
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(),
    EMRFLOW_TEMPORAL_TASK_QUEUE: `serverless-${randomUUID()}`,
  };
  config = loadConfig({ env, cwd: tmpdir(), path: undefined }).config;
  s3 = s3Client(config.aws);
  serverless = emrServerlessClient(config.aws);
  // The Glue database too: the completed run registers its tables there.
  const boot = await bootstrap(config, {
    s3, iam: iamClient(config.aws), sts: stsClient(config.aws), emrServerless: serverless, glue: glueClient(config.aws),
  }, { dryRun: false });
  expect(boot.actions.filter((a) => a.action === 'failed')).toEqual([]);
  for (const key of ['in/song_data/A/A/A/TRAAAAW128F429D538.json', 'in/log_data/2018/11/2018-11-15-events.json', 'in/log_data/2018/11/2018-11-16-events.json'])
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: key, Body: '{}\n' }));
  // Job runs wait in SUBMITTED until the test moves them.
  await moto.serverlessHold({ jobRuns: 'SUBMITTED' });
}, 120_000);

afterAll(async () => {
  for (const w of workers) await w.stop();
  await conn?.close();
  await moto?.stop();
});

const startWorker = () => {
  const w = cliWorker(env);
  workers.push(w);
  return w;
};

/** The run's job runs once `count` exist. */
async function jobRunsOf(workflowId: string, count = 1, timeoutMs = 90_000): Promise<MotoJobRun[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await moto.jobRuns()).filter((j) => j.tags['emrflow:workflow-id'] === workflowId);
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`${workflowId} has ${mine.length} job runs, expected ${count}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Every message and detail along a failure's cause chain. */
function failureText(e: unknown): string {
  const parts: string[] = [];
  for (let err = e as { message?: string; details?: unknown; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    parts.push(err.message ?? '', JSON.stringify(err.details ?? null));
  }
  return parts.join('\n');
}

describe.sequential('songs-etl on emr-serverless', () => {
  test('one job run: the staged script with the run date; a cancel cancels it and leaves the application running', async () => {
    startWorker();
    const workflowId = `sl-cancel-${Date.now()}`;
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-15', mode: 'daily' }] });
    const [jobRun] = await jobRunsOf(workflowId);
    const hash = createHash('sha256').update(readFileSync(etlScript)).digest('hex');
    expect(jobRun!.entryPoint).toBe(`s3://emrflow-code/code/${hash}/etl.py`);
    expect(jobRun!.args.slice(jobRun!.args.indexOf('--run-date'), jobRun!.args.indexOf('--run-date') + 2)).toEqual(['--run-date', '2018-11-15']);
    expect(jobRun!.args).toEqual(expect.arrayContaining(['--mode', 'daily', '--input', 's3://emrflow-lake/in']));
    expect(jobRun!.tags).toMatchObject({ 'emrflow:managed': 'true', 'emrflow:pipeline': 'songs-etl', 'emrflow:run-id': handle.firstExecutionRunId });
    await moto.setJobRun(jobRun!.id, 'RUNNING');
    await new Promise((r) => setTimeout(r, 2_000));
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    const after = await jobRunsOf(workflowId);
    expect(after.map((j) => [j.id, j.state])).toEqual([[jobRun!.id, 'CANCELLED']]);
    const app = (await serverless.send(new GetApplicationCommand({ applicationId: jobRun!.applicationId }))).application;
    expect(app?.state).toBe('STARTED');
  }, 180_000);

  test('a worker SIGKILLed while the run waits: the next worker resumes the wait; the run fails with stateDetails and the driver\'s stderr tail', async () => {
    for (const w of workers.splice(0)) await w.stop();
    const first = startWorker();
    const workflowId = `sl-kill-${Date.now()}`;
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-16', mode: 'daily' }] });
    const [jobRun] = await jobRunsOf(workflowId);
    await moto.setJobRun(jobRun!.id, 'RUNNING');
    await eventually('the run waiting for its job run', async () => {
      const history = (await handle.fetchHistory()).events ?? [];
      return history.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'waitForStep');
    });
    await new Promise((r) => setTimeout(r, 2_000));
    await first.kill();
    await s3.send(new PutObjectCommand({
      Bucket: 'emrflow-logs', Key: `logs/applications/${jobRun!.applicationId}/jobs/${jobRun!.id}/SPARK_DRIVER/stderr.gz`,
      Body: gzipSync('Traceback (most recent call last):\n  File "etl.py", line 12\nValueError: no log files for 2018-11-16\n'),
    }));
    await moto.setJobRun(jobRun!.id, 'FAILED', { stateDetails: 'Job failed, please check complete logs in configured logging destination. ExitCode: 1.' });
    startWorker();
    const failure = await handle.result().then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const text = failureText(failure);
    expect(text).toContain('ExitCode: 1');
    expect(text).toContain('ValueError: no log files for 2018-11-16');
    expect((await jobRunsOf(workflowId)).map((j) => j.id)).toEqual([jobRun!.id]);
  }, 240_000);
});

describe('a budget on emr-serverless', () => {
  test('a run whose budget is smaller than its job run\'s cost so far ends BudgetExceeded with the job run cancelled', async () => {
    const budgeted = { ...env, EMRFLOW_COST_MAX_RUN_USD: '0.01', EMRFLOW_TEMPORAL_TASK_QUEUE: `serverless-budget-${randomUUID()}` };
    const w = cliWorker(budgeted);
    workers.push(w);
    const workflowId = `sl-budget-${Date.now()}`;
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue: budgeted.EMRFLOW_TEMPORAL_TASK_QUEUE, workflowId, args: [{ runDate: '2018-11-15', mode: 'daily' }] });
    const [jobRun] = await jobRunsOf(workflowId);
    // Running, and already past the budget: 1 vCPU-hour and 4 GB-hours cost more than $0.01.
    await moto.setJobRun(jobRun!.id, 'RUNNING', { utilization: { vCPUHour: 1, memoryGBHour: 4, storageGBHour: 0 } });
    const err = await handle.result().then(() => { throw new Error('the run succeeded'); }, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failure = (err as WorkflowFailedError).cause as { type?: string; message: string };
    expect(failure.type).toBe('BudgetExceeded');
    expect(failure.message).toMatch(/past its budget of \$0\.01 \(\[cost\] max_run_usd\)/);
    expect((await jobRunsOf(workflowId)).map((j) => [j.id, j.state])).toEqual([[jobRun!.id, 'CANCELLED']]);
  }, 180_000);
});

describe('the sweeper on emr-serverless', () => {
  test('cancels the emrflow-tagged job runs whose owning run is closed, and `clusters list` shows them as job runs', async () => {
    if (workers.length === 0) startWorker();
    const provider = new EmrServerlessProvider({ client: serverless, s3, config });
    // A job run left by a run that no longer exists (its worker and workflow are gone).
    const stray = { workflowId: `sl-gone-${Date.now()}`, runId: randomUUID(), pipeline: 'songs-etl' };
    const handle = (await provider.createCluster(stray)).clusterId;
    const { stepId } = await provider.addStep({ clusterId: handle, stepName: `songs-etl:${stray.workflowId}:etl`, scriptUri: 's3://emrflow-code/code/x/etl.py', args: [], run: stray });
    const listed = await emrflow(['clusters', 'list'], env, { cleanEnv: true });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr + listed.stdout).toContain('job runs, one row per run');
    expect(listed.stdout).toContain(stepId);
    const result = await conn.client.workflow.execute('terminateEmrClusters', {
      taskQueue: config.temporal.task_queue, workflowId: `sl-sweep-${Date.now()}`, args: [{}],
    }) as { clusters: { clusterId: string; rule: string; action: string }[] };
    const row = result.clusters.find((c) => c.clusterId.startsWith(`${handle.split('/')[0]}/${stray.runId}/`));
    expect(row).toMatchObject({ rule: 'owner-closed', action: 'terminated' });
    expect((await moto.jobRuns()).find((j) => j.id === stepId)?.state).toBe('CANCELLED');
  }, 120_000);
});

describe('a completed run on emr-serverless', () => {
  test('the job run staged, audited, published: the tables are in the lake and the summary has the job run\'s billed cost', async () => {
    // A lake and a worker of this test's own (the other tests' runs leave their job runs behind in moto).
    const output = `s3://emrflow-lake/serverless-done-${randomUUID().slice(0, 8)}`;
    const own = { ...env, EMRFLOW_DATALAKE_OUTPUT_DATA: output, EMRFLOW_TEMPORAL_TASK_QUEUE: `serverless-done-${randomUUID()}` };
    workers.push(cliWorker(own));
    const workflowId = `sl-done-${Date.now()}`;
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue: own.EMRFLOW_TEMPORAL_TASK_QUEUE, workflowId, args: [{ runDate: '2018-11-16', mode: 'full' }] });
    const [jobRun] = await jobRunsOf(workflowId);
    const args = etlArgs(jobRun!.args);
    expect(args).toEqual({
      input: 's3://emrflow-lake/in', output, mode: 'full', runDate: '2018-11-16', runId: reportIdFor(workflowId, handle.firstExecutionRunId), stageOnly: true,
    });
    // The job run plays etl.py: running, it stages the run's tables, manifest and report; then it ends, billed.
    await moto.setJobRun(jobRun!.id, 'RUNNING');
    const report = await stageLikeEtl(s3, args, {
      months: [[2018, 11, 42]], users: 5, songYears: [0, 2004], songs: 3, artists: 2,
      rejected: {}, input: { song_files: 1, log_files: 2, song_records: 3, log_records: 60 },
    });
    const billed = { vCPUHour: 0.527, memoryGBHour: 2.108, storageGBHour: 10.54 };
    await moto.setJobRun(jobRun!.id, 'SUCCESS', { utilization: billed, durationSeconds: 474 });

    const summary = await handle.result() as SongsEtlSummary;
    expect(summary).toMatchObject({ provider: 'emr-serverless', output, stepId: jobRun!.id, rows: report.rows });
    expect(summary.tasks.map((t) => [t.id, t.state])).toEqual(
      [['input', 'succeeded'], ['etl', 'succeeded'], ['audit', 'succeeded'], ['publish', 'succeeded'], ['catalog', 'succeeded']]);
    const usd = billed.vCPUHour * DEFAULT_PRICES.serverlessVcpuHourUsd + billed.memoryGBHour * DEFAULT_PRICES.serverlessMemoryGbHourUsd
      + billed.storageGBHour * DEFAULT_PRICES.serverlessStorageGbHourUsd;
    expect(summary.cost).toMatchObject({
      provider: 'emr-serverless', currency: 'USD', pricesFrom: 'defaults',
      usage: { kind: 'emr-serverless', ...billed, totalExecutionDurationSeconds: 474, jobRuns: 1, final: true },
    });
    expect(summary.cost!.estimatedUsd).toBeCloseTo(usd, 6);
    expect(summary.cost!.basis).toContain('(billed, 1 job run)');

    // What a user sees in the lake: each table's published files, nothing left staged.
    const prefix = output.slice('s3://emrflow-lake/'.length);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'emrflow-lake', Prefix: `${prefix}/`, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (const table of SPARKIFY_TABLES.map((t) => t.name)) {
      expect(keys.filter((k) => k.startsWith(`${table}/`) && k.endsWith('.parquet')), `${table} published`).not.toEqual([]);
    }
    const songplayDirs = new Set(keys.filter((k) => k.startsWith('songplays/') && k.endsWith('.parquet')).map((k) => k.split('/').slice(1, -1).join('/')));
    expect([...songplayDirs], 'songplays partitions').toEqual(['year=2018/month=11']);
    expect(keys.filter((k) => /^_(staging|previous|publish)\//.test(k)), 'nothing left staged').toEqual([]);
    // Exactly one job run, and it has ended.
    expect((await jobRunsOf(workflowId)).map((j) => [j.id, j.state])).toEqual([[jobRun!.id, 'SUCCESS']]);
  }, 180_000);
});
