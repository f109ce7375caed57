// The songs ETL on the EMR provider against moto, with the API misbehaving: every EMR action,
// then every S3 call the run makes, fails with throttling and a 5xx before it works, and the calls that create things (RunJobFlow,
// AddJobFlowSteps) lose their answer after taking effect; then a cluster terminated from outside
// under a running step. The test plays EMR: it completes the step and writes the run report.
import { ListStepsCommand, TerminateJobFlowsCommand, type EMRClient } from '@aws-sdk/client-emr';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { emrClient, s3Client } from '../../activities/aws-clients';
import { loadConfig, type EmrflowConfig } from '../../infra/config';
import { reportIdFor } from '../../workflows/run-input';
import type { SongsEtlSummary } from '../../workflows/shared';
import { sampleReport } from '../support/fake-activities';
import { emrOnMoto, type EmrOnMoto } from '../support/emr-on-moto';
import type { FaultRule, Moto } from '../support/moto';
import { emrflow } from '../support/cli-process';
import { clustersOf, stepOf } from '../support/emr-run-lookup';

let moto: Moto;
let env: Record<string, string>;
let config: EmrflowConfig;
let emr: EMRClient;
let s3: S3Client;
let conn: EmrOnMoto['conn'];
let setup: EmrOnMoto | undefined;

beforeAll(async () => {
  setup = await emrOnMoto('fault-emr');
  ({ moto, conn, env } = setup);
  const boot = await emrflow(['aws', 'bootstrap'], env);
  expect(boot.code, `${boot.stdout}${boot.stderr}`).toBe(0);
  config = loadConfig({ env, cwd: tmpdir(), path: undefined }).config;
  emr = emrClient(config.aws);
  s3 = s3Client(config.aws);
  // The preflight looks for the run's month of logs before it pays for a cluster.
  await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: 'in/log_data/2018/11/2018-11-15-events.json', Body: '{}\n' }));
  await setup.startWorker(config);
}, 120_000);

afterAll(async () => setup?.close());


async function start(workflowId: string): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-15' }] });
}

/** Runs the ETL under `rules` while playing EMR; returns the summary and what moto saw. */
async function runUnder(rules: FaultRule[], name: string) {
  await moto.injectFaults(rules);
  const before = (await moto.faultReport()).injected;
  const workflowId = `fault-emr-${name}-${Date.now()}`;
  const handle = await start(workflowId);
  const { clusterId, stepId } = await stepOf(emr, workflowId);
  const report = { ...sampleReport(reportIdFor(workflowId, handle.firstExecutionRunId)), output_uri: 's3://emrflow-lake/out' };
  await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: `out/_reports/${report.run_id}.json`, Body: JSON.stringify(report) }));
  // What `etl.py --stage-only` leaves for the publish task: a staged table, then the manifest of its moves.
  await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: `out/_staging/${report.run_id}/users/part-00000.parquet`, Body: '' }));
  const manifest = {
    format: 1, run_id: report.run_id, mode: 'daily', run_date: '2018-11-15', created_at: new Date().toISOString(),
    moves: [{ table: 'users', staged: 'users', target: 'users' }],
  };
  await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: `out/_staging/${report.run_id}/_manifest.json`, Body: JSON.stringify(manifest) }));
  await moto.setStepState(clusterId, stepId, 'RUNNING');
  await moto.setStepState(clusterId, stepId, 'COMPLETED');
  const summary = await handle.result() as SongsEtlSummary;
  await moto.injectFaults([]);
  const after = (await moto.faultReport()).injected;
  const injected = Object.fromEntries(Object.entries(after).map(([a, n]) => [a, n - (before[a] ?? 0)]));

  expect(summary).toMatchObject({ clusterId, stepId, provider: 'emr', rows: report.rows });
  const clusters = await clustersOf(emr, workflowId);
  expect(clusters.map((c) => [c.Id, c.Status?.State]), 'clusters of the run').toEqual([[clusterId, 'TERMINATED']]);
  const { Steps = [] } = await emr.send(new ListStepsCommand({ ClusterId: clusterId }));
  expect(Steps.map((s) => s.Id), 'steps of the run').toEqual([stepId]);
  return injected;
}

test('throttling and then a 5xx on every EMR action are retried: the run completes with one cluster and one step', async () => {
  const injected = await runUnder([{ action: '*', times: 1, error: 'throttle' }, { action: '*', times: 1, error: '500' }], 'flaky');
  for (const action of ['RunJobFlow', 'AddJobFlowSteps', 'ListClusters', 'DescribeCluster', 'ListSteps', 'DescribeStep', 'TerminateJobFlows'])
    expect(injected[action], `errors injected into ${action}`).toBe(2);
}, 180_000);

test('throttling and then a 5xx on every S3 call (preflight, staging the job, reading the report) are retried: the run completes', async () => {
  // Unstage the job, so this run uploads it again (the key is content-addressed and an earlier
  // test of this file staged the same script).
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: 'emrflow-code', Prefix: 'code/' }));
  for (const o of Contents) await s3.send(new DeleteObjectCommand({ Bucket: 'emrflow-code', Key: o.Key! }));
  const injected = await runUnder([{ action: 'S3.*', times: 1, error: 'throttle' }, { action: 'S3.*', times: 1, error: '500' }], 's3');
  // The preflight lists each bucket, staging looks the script up and uploads it, the end reads
  // the report: each of those calls failed twice before it went through.
  for (const action of ['S3.ListObjectsV2', 'S3.HeadObject', 'S3.PutObject', 'S3.GetObject'])
    expect(injected[action], `errors injected into ${action}`).toBe(2);
  const staged = await s3.send(new ListObjectsV2Command({ Bucket: 'emrflow-code', Prefix: 'code/' }));
  expect(staged.Contents?.map((o) => o.Key), 'the job is staged once').toHaveLength(1);
}, 180_000);

test('RunJobFlow and AddJobFlowSteps that took effect but lost their answer are not repeated: one cluster, one step', async () => {
  const injected = await runUnder([{ action: 'RunJobFlow', times: 1, error: 'lost' }, { action: 'AddJobFlowSteps', times: 1, error: 'lost' }], 'lost');
  expect(injected).toMatchObject({ RunJobFlow: 1, AddJobFlowSteps: 1 });
}, 180_000);

test('a cluster terminated from outside while the step runs fails the run with ClusterTerminated', async () => {
  const workflowId = `fault-emr-gone-${Date.now()}`;
  const handle = await start(workflowId);
  const { clusterId, stepId } = await stepOf(emr, workflowId);
  await moto.setStepState(clusterId, stepId, 'RUNNING');
  await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] }));
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('ClusterTerminated');
  expect(cause.message).toMatch(new RegExp(`^task etl, stage waitForStep: Cluster ${clusterId} ended while step ${stepId} was not finished`));
  expect((await clustersOf(emr, workflowId)).map((c) => c.Status?.State)).toEqual(['TERMINATED']);
}, 120_000);
