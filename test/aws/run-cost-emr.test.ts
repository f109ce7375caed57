// Issue #15, "What it must show", on the EMR provider against moto: the summary of a run has the
// cost section (its cluster's instances for the seconds EMR recorded it running, at the default
// prices), and a run whose budget is smaller than its cost so far ends BudgetExceeded with its
// step cancelled and its cluster terminated. The real workflow and activities run; the test plays
// the Spark step where the run must complete (moto never runs a step by itself).
import { DescribeClusterCommand, ListStepsCommand, type EMRClient } from '@aws-sdk/client-emr';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { emrClient, glueClient, iamClient, s3Client, stsClient } from '../../activities/aws-clients';
import type { ResourceUsage } from '../../activities/cost/usage';
import { bootstrap } from '../../infra/aws/bootstrap';
import { formatSummary } from '../../infra/cli/format-summary';
import { loadConfig, type EmrflowConfig } from '../../infra/config';
import { createWorker } from '../../infra/worker/create-worker';
import { reportIdFor } from '../../workflows/run-input';
import type { SongsEtlSummary } from '../../workflows/shared';
import { sampleReport } from '../support/fake-activities';
import { emrSettings, startMoto, type Moto } from '../support/moto';
import { connectForTest, temporalAddress } from '../support/temporal';
import { clustersOf, stepOf } from '../support/emr-run-lookup';

const BUCKET = 'emrflow-lake';
/** Three m5.xlarge at $0.24 an hour cost $0.0002 a second: any run is past this budget at its first poll. */
const TINY_BUDGET = '0.0001';

let moto: Moto;
let config: EmrflowConfig;
let budgeted: EmrflowConfig;
let emr: EMRClient;
let s3: S3Client;
let conn: Awaited<ReturnType<typeof connectForTest>>;
const workers: { worker: Worker; running: Promise<void> }[] = [];

beforeAll(async () => {
  [moto, conn] = await Promise.all([startMoto(), connectForTest()]);
  // A lake of this file's own: the lake lock is one workflow per output location on the shared dev server.
  const env = {
    ...emrSettings(moto.endpoint),
    EMRFLOW_DATALAKE_OUTPUT_DATA: `s3://${BUCKET}/cost-${randomUUID().slice(0, 8)}`,
    EMRFLOW_EMR_STEP_POLL_SECONDS: '1',
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(),
    EMRFLOW_TEMPORAL_TASK_QUEUE: `cost-emr-${randomUUID()}`,
  };
  config = loadConfig({ env, cwd: tmpdir(), path: undefined }).config;
  // The same installation with a budget in dl.cfg, on a task queue of its own.
  budgeted = loadConfig({ env: { ...env, EMRFLOW_COST_MAX_RUN_USD: TINY_BUDGET, EMRFLOW_TEMPORAL_TASK_QUEUE: `cost-emr-budget-${randomUUID()}` }, cwd: tmpdir(), path: undefined }).config;
  expect(budgeted.cost.max_run_usd).toBe(0.0001);
  s3 = s3Client(config.aws);
  emr = emrClient(config.aws);
  await bootstrap(config, { s3, iam: iamClient(config.aws), sts: stsClient(config.aws), glue: glueClient(config.aws) }, { dryRun: false });
  // The preflight looks for the run's month of logs before it pays for a cluster.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/log_data/2018/11/2018-11-15-events.json', Body: '{}\n' }));
  for (const c of [config, budgeted]) {
    const worker = await createWorker({ connection: conn.native, config: c });
    workers.push({ worker, running: worker.run() });
  }
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.worker.shutdown();
  await Promise.all(workers.map((w) => w.running));
  await conn?.close();
  await moto?.stop();
});


test('an EMR run\'s summary says what it cost: its instances for the seconds EMR recorded, at the default prices', async () => {
  const workflowId = `cost-emr-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-15' }] });
  const { clusterId, stepId } = await stepOf(emr, workflowId);
  // What etl.py --stage-only leaves: the report, a staged table, then the manifest of its moves.
  const output = config.datalake.output_data;
  const prefix = output.slice(`s3://${BUCKET}/`.length);
  const report = { ...sampleReport(reportIdFor(workflowId, handle.firstExecutionRunId)), output_uri: output };
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}`, Body: body }));
  await put(`_reports/${report.run_id}.json`, JSON.stringify(report));
  await put(`_staging/${report.run_id}/users/part-00000.parquet`, '');
  await put(`_staging/${report.run_id}/_manifest.json`, JSON.stringify({
    format: 1, run_id: report.run_id, mode: 'daily', run_date: '2018-11-15', created_at: new Date().toISOString(),
    moves: [{ table: 'users', staged: 'users', target: 'users' }],
  }));
  await moto.setStepState(clusterId, stepId, 'RUNNING');
  await moto.setStepState(clusterId, stepId, 'COMPLETED');
  const summary = await handle.result() as SongsEtlSummary;

  const { Cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }));
  expect(Cluster?.Status?.State).toBe('TERMINATED');
  const ranSeconds = (Cluster!.Status!.Timeline!.EndDateTime!.getTime() - Cluster!.Status!.Timeline!.CreationDateTime!.getTime()) / 1000;
  expect(ranSeconds).toBeGreaterThan(0);
  const cost = summary.cost!;
  expect(cost).toMatchObject({ provider: 'emr', currency: 'USD', pricesFrom: 'defaults' });
  const usage = cost.usage as Extract<ResourceUsage, { kind: 'emr' }>;
  // [emr]'s defaults: one master and two core m5.xlarge, on demand, as the instance groups say.
  expect(usage.instances.map((i) => `${i.count} ${i.instanceType} ${i.market}`).sort()).toEqual(['1 m5.xlarge ON_DEMAND', '2 m5.xlarge ON_DEMAND']);
  expect(usage.runningSeconds).toBeCloseTo(ranSeconds, 3);
  expect(cost.estimatedUsd).toBeCloseTo(3 * (ranSeconds / 3600) * (0.192 + 0.048), 6);
  expect(cost.basis).toMatch(/^3 × m5\.xlarge for \d+ s at \$0\.192 \+ EMR \$0\.048 per instance-hour$/);
  // What `emrflow run --wait` prints at the end of the run.
  expect(formatSummary(summary)).toContain(`\ncost: $${Number(cost.estimatedUsd.toPrecision(2))} estimated at the default us-east-1 prices (${cost.basis})\n`);
}, 180_000);

test('a run whose budget is smaller than its cost so far ends BudgetExceeded, its step cancelled and its cluster terminated', async () => {
  const workflowId = `cost-emr-budget-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', { taskQueue: budgeted.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-15' }] });
  // Nobody completes the step: left alone, it would keep the cluster (and the bill) going.
  const { clusterId, stepId } = await stepOf(emr, workflowId);
  const err = await handle.result().then(() => { throw new Error('the run succeeded'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.type).toBe('BudgetExceeded');
  expect(failure.message).toMatch(new RegExp(
    `^task etl, stage waitForStep: the run's estimated cost so far, \\$[0-9.]+, is past its budget of \\$0\\.0001 \\(\\[cost\\] max_run_usd\\); `
    + `step ${stepId} was stopped and cluster ${clusterId} is terminated\\. Basis: 3 × m5\\.xlarge for \\d+ s at \\$0\\.192 \\+ EMR \\$0\\.048 per instance-hour$`));
  const figures = failure.details?.[0] as { spentUsd: number; budgetUsd: number; basis: string };
  expect(figures.budgetUsd).toBe(0.0001);
  expect(figures.spentUsd).toBeGreaterThan(0.0001);

  // Nothing left running: the step was cancelled, the cluster terminated, and no other cluster made.
  const { Steps = [] } = await emr.send(new ListStepsCommand({ ClusterId: clusterId }));
  expect(Steps.map((s) => [s.Id, s.Status?.State])).toEqual([[stepId, 'CANCELLED']]);
  expect((await clustersOf(emr, workflowId)).map((c) => [c.Id, c.Status?.State])).toEqual([[clusterId, 'TERMINATED']]);
}, 180_000);
