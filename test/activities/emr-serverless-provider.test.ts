// The emr-serverless provider against moto (server mode), with job-run and application states
// driven from the test side (moto_serverless.py): one application created and reused, a stopped
// one started, one job run per task attempt even when StartJobRun's answer is lost, the states a
// wait reports, a failure's stderr tail, cancel and terminate (which never stops the shared
// application), the sweeper's listing, usage and links.
import { GetApplicationCommand, ListApplicationsCommand, type EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emrServerlessClient, s3Client } from '../../activities/aws-clients';
import { EmrServerlessProvider } from '../../activities/providers/emr-serverless/emr-serverless-provider';
import { waitForStep, type WaitProgress } from '../../activities/wait-for-step';
import { loadConfig, type EmrflowConfig } from '../../infra/config';
import type { RunIdentity, StepOutcome } from '../../workflows/shared';
import { serverlessSettings, startMoto, type Moto } from '../support/moto';
import { testTempDir } from '../support/temp-dir';

let moto: Moto;
let config: EmrflowConfig;
let client: EMRServerlessClient;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  config = loadConfig({ cwd: tmpdir(), env: { ...serverlessSettings(moto.endpoint), EMRFLOW_EMR_EXTRA_TAGS: 'team=data' } }).config;
  client = emrServerlessClient(config.aws);
  s3 = s3Client(config.aws);
  for (const Bucket of ['emrflow-code', 'emrflow-logs', 'emrflow-lake'])
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
});
afterAll(async () => moto?.stop());

const provider = () => new EmrServerlessProvider({
  client, s3, config: { ...config, emr_serverless: { ...config.emr_serverless, job_poll_seconds: 0.05 } },
  logWaitMs: 100, logRetryMs: 50, cancelWaitMs: 5_000, cancelPollMs: 50, startWaitMs: 5_000,
});
const mockEnv = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
let runs = 0;
const newRun = (): RunIdentity => ({ workflowId: `songs-etl-2018-11-${String(++runs).padStart(2, '0')}`, runId: `run-${runs}-${Date.now()}`, pipeline: 'songs-etl' });

async function stagedScript(): Promise<string> {
  const dir = testTempDir('emrs-');
  const path = join(dir, 'etl.py');
  writeFileSync(path, `print("job ${Math.random()}")\n`);
  return (await provider().stageJob(path)).scriptUri;
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

const appIdOf = (handle: string) => handle.split('/')[0]!;

describe.sequential('emr-serverless provider', () => {
  it('creates one tagged application with the configured settings and reuses it for the next run', async () => {
    const first = await provider().createCluster(newRun());
    const second = await provider().createCluster(newRun());
    expect(appIdOf(second.clusterId)).toBe(appIdOf(first.clusterId));
    expect(second.clusterId).not.toBe(first.clusterId);
    const apps = (await client.send(new ListApplicationsCommand({}))).applications ?? [];
    expect(apps).toHaveLength(1);
    const { application } = await client.send(new GetApplicationCommand({ applicationId: appIdOf(first.clusterId) }));
    expect(application).toMatchObject({
      name: 'emrflow', releaseLabel: 'emr-7.13.0', state: 'STARTED',
      autoStartConfiguration: { enabled: true }, autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 },
      maximumCapacity: { cpu: '32 vCPU', memory: '128 GB', disk: '1000 GB' },
      tags: { 'emrflow:managed': 'true', team: 'data' },
    });
  });

  it('starts a stopped application and waits, heartbeating, until it has started', async () => {
    const { clusterId } = await provider().createCluster(newRun());
    const app = appIdOf(clusterId);
    await moto.setApplicationState(app, 'STOPPED');
    await moto.serverlessHold({ applicationStarts: 'STARTING' });
    const env = mockEnv();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const creating = env.run(() => provider().createCluster(newRun()));
    await new Promise((r) => setTimeout(r, 4_000));
    await moto.setApplicationState(app, 'STARTED');
    await creating;
    await moto.serverlessHold({ applicationStarts: 'STARTED' });
    expect(beats.length).toBeGreaterThan(0);
    expect(beats[0]).toMatchObject({ application: 'STARTING' });
    expect((await client.send(new GetApplicationCommand({ applicationId: app }))).application?.state).toBe('STARTED');
  }, 30_000);

  it('starts one job run per task attempt: the staged script, the arguments, role, logs and tags; a repeat adopts it', async () => {
    await moto.serverlessHold({ jobRuns: 'SUBMITTED' });
    const run = newRun();
    const { clusterId } = await provider().createCluster(run);
    const scriptUri = await stagedScript();
    const request = { clusterId, stepName: `songs-etl:${run.workflowId}:etl`, scriptUri, args: ['--run-date', '2018-11-15'], run };
    const first = await provider().addStep(request);
    const again = await provider().addStep(request);
    expect(again).toEqual({ ...first, reused: true });
    const mine = (await moto.jobRuns()).filter((j) => j.tags['emrflow:run-id'] === run.runId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      id: first.stepId, name: request.stepName, entryPoint: scriptUri, args: ['--run-date', '2018-11-15'],
      executionRole: 'arn:aws:iam::123456789012:role/emrflow-serverless-job', logUri: 's3://emrflow-logs/logs/',
      tags: { 'emrflow:managed': 'true', 'emrflow:workflow-id': run.workflowId, 'emrflow:pipeline': 'songs-etl', team: 'data' },
    });
    expect(mine[0]!.clientToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a lost StartJobRun answer: the retried call adopts the job run the lost one started', async () => {
    const run = newRun();
    const { clusterId } = await provider().createCluster(run);
    const request = { clusterId, stepName: `songs-etl:${run.workflowId}:etl`, scriptUri: await stagedScript(), args: [], run };
    await moto.injectFaults([{ action: 'EMRServerless.StartJobRun', times: 1, error: 'lost' }]);
    await expect(provider().addStep(request)).rejects.toThrow(/not repeated: the call may have taken effect/);
    await moto.injectFaults([]);
    const retried = await provider().addStep(request);
    expect(retried.reused).toBe(true);
    const mine = (await moto.jobRuns()).filter((j) => j.tags['emrflow:run-id'] === run.runId);
    expect(mine.map((j) => j.id)).toEqual([retried.stepId]);
  });

  it('QUEUED → RUNNING → SUCCESS: the wait heartbeats each state and the time in it, and usage sums the billed figures', async () => {
    const run = newRun();
    const { clusterId } = await provider().createCluster(run);
    const { stepId } = await provider().addStep({ clusterId, stepName: `songs-etl:${run.workflowId}:etl`, scriptUri: await stagedScript(), args: [], run });
    const env = mockEnv();
    const beats: WaitProgress[] = [];
    env.on('heartbeat', (d: WaitProgress) => beats.push(d));
    const waiting = env.run(() => waitForStep(provider(), { clusterId, stepId })) as Promise<StepOutcome>;
    await moto.setJobRun(stepId, 'QUEUED');
    await new Promise((r) => setTimeout(r, 1_200));
    await moto.setJobRun(stepId, 'RUNNING', { utilization: { vCPUHour: 0.5, memoryGBHour: 2, storageGBHour: 10 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(await provider().usage(clusterId)).toMatchObject({ kind: 'emr-serverless', vCPUHour: 0.5, jobRuns: 1, final: false });
    await moto.setJobRun(stepId, 'SUCCESS', { utilization: { vCPUHour: 1, memoryGBHour: 4, storageGBHour: 20 }, durationSeconds: 300 });
    expect((await waiting).state).toBe('COMPLETED');
    expect(beats.map((b) => b.detail)).toEqual(expect.arrayContaining(['QUEUED', 'RUNNING']));
    expect(Math.max(...beats.filter((b) => b.detail === 'QUEUED').map((b) => b.detailSeconds!))).toBeGreaterThanOrEqual(1);
    expect(beats.find((b) => b.detail === 'RUNNING')?.state).toBe('RUNNING');
    expect(await provider().usage(clusterId)).toEqual({
      kind: 'emr-serverless', vCPUHour: 1, memoryGBHour: 4, storageGBHour: 20, totalExecutionDurationSeconds: 300, jobRuns: 1, final: true,
    });
  });

  it('FAILED: the run fails with the job\'s stateDetails and the tail of the driver\'s stderr', async () => {
    const run = newRun();
    const { clusterId } = await provider().createCluster(run);
    const { stepId } = await provider().addStep({ clusterId, stepName: `songs-etl:${run.workflowId}:etl`, scriptUri: await stagedScript(), args: [], run });
    await s3.send(new PutObjectCommand({
      Bucket: 'emrflow-logs', Key: `logs/applications/${appIdOf(clusterId)}/jobs/${stepId}/SPARK_DRIVER/stderr.gz`,
      Body: gzipSync('Traceback (most recent call last):\nValueError: no songs under s3://emrflow-lake/in\n'),
    }));
    await moto.setJobRun(stepId, 'FAILED', { stateDetails: 'Job failed, please check complete logs in configured logging destination. ExitCode: 1.' });
    const failure = await failureOf(mockEnv().run(() => waitForStep(provider(), { clusterId, stepId })));
    expect(failure.type).toBe('SparkStepFailed');
    expect(failure.message).toContain('ExitCode: 1');
    expect(JSON.stringify(failure.details)).toContain('ValueError: no songs under s3://emrflow-lake/in');
  });

  it('cancel cancels the job run and waits until it has ended; terminate cancels the run\'s live job runs and leaves the application started', async () => {
    const run = newRun();
    const { clusterId } = await provider().createCluster(run);
    const task = (id: string) => ({ clusterId, stepName: `songs-etl:${run.workflowId}:${id}`, scriptUri: 's3://emrflow-code/code/x/etl.py', args: [], run });
    const a = await provider().addStep(task('a'));
    const b = await provider().addStep(task('b'));
    const other = newRun();
    const otherHandle = (await provider().createCluster(other)).clusterId;
    const c = await provider().addStep({ ...task('c'), clusterId: otherHandle, run: other });
    await provider().cancelStep(clusterId, a.stepId);
    expect((await provider().describeStep(clusterId, a.stepId)).state).toBe('CANCELLED');
    const listed = await provider().listClusters({});
    expect(listed.find((x) => x.tags['emrflow:run-id'] === other.runId)?.clusterId).toMatch(new RegExp(`^${appIdOf(otherHandle)}/${other.runId}/\\d+$`));
    expect(listed.find((x) => x.tags['emrflow:run-id'] === run.runId)?.name).toContain(b.stepId);
    expect(await provider().terminateCluster(clusterId)).toMatchObject({ action: 'terminated' });
    expect((await provider().describeStep(clusterId, b.stepId)).state).toBe('CANCELLED');
    expect((await provider().describeStep(otherHandle, c.stepId)).state).toBe('PENDING');
    expect((await provider().terminateCluster(clusterId)).action).toBe('already-gone');
    expect((await client.send(new GetApplicationCommand({ applicationId: appIdOf(clusterId) }))).application?.state).toBe('STARTED');
    expect(await provider().stepLinks!(clusterId, b.stepId)).toEqual({
      dashboardUrl: expect.stringMatching(/^https:\/\/.*emrappui/),
      logLocation: `s3://emrflow-logs/logs/applications/${appIdOf(clusterId)}/jobs/${b.stepId}/`,
    });
    await provider().terminateCluster(otherHandle);
  });
});
