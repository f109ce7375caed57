// The EMR provider against moto (server mode): idempotent create / add step / terminate,
// tag-scoped paginated listing, content-hash staging, and step outcomes driven from the test.
import {
  DescribeClusterCommand, EMRClient, ListClustersCommand, ListStepsCommand, RunJobFlowCommand, SetTerminationProtectionCommand,
} from '@aws-sdk/client-emr';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createActivities } from '../../activities';
import { emrClient, s3Client } from '../../activities/aws-clients';
import { EmrProvider } from '../../activities/providers/emr/emr-provider';
import { waitForStep } from '../../activities/wait-for-step';
import { deploymentId, loadConfig, type EmrflowConfig } from '../../infra/config';
import { emrSettings, startMoto, type Moto } from '../support/moto';

let moto: Moto;
let config: EmrflowConfig;
let emr: EMRClient;
let s3: S3Client;
const s3Calls: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  config = loadConfig({
    cwd: tmpdir(),
    env: { ...emrSettings(moto.endpoint), EMRFLOW_EMR_EXTRA_TAGS: 'team=data' },
  }).config;
  emr = emrClient(config.aws);
  s3 = s3Client(config.aws);
  s3.middlewareStack.add((next, context) => async (args) => {
    s3Calls.push(context.commandName ?? '?');
    return next(args);
  }, { step: 'initialize' });
  for (const Bucket of ['emrflow-code', 'emrflow-logs', 'emrflow-lake'])
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
});

afterAll(async () => {
  await moto?.stop();
});

const provider = (pollSeconds = 0.05, s3Client: S3Client = s3) => new EmrProvider({
  emr, s3: s3Client, config: { ...config, emr: { ...config.emr, step_poll_seconds: pollSeconds } }, logWaitMs: 100, logRetryMs: 50,
});

/** An S3 client that, like S3 under the shipped policy (no unconditioned ListBucket), answers 403 for a missing key. */
function s3Answering403ForMissingKeys(): S3Client {
  const client = s3Client(config.aws);
  client.middlewareStack.add((next) => async (args) => {
    try {
      return await next(args);
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.$metadata?.httpStatusCode !== 404) throw e;
      throw Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    }
  }, { step: 'deserialize', priority: 'low', name: 'forbidMissing' });
  return client;
}
const run = (workflowId: string) => ({ workflowId, runId: `run-${workflowId}`, pipeline: 'songs-etl' });
const mockEnv = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

async function clusterWithStep(workflowId: string) {
  const p = provider();
  const { clusterId } = await p.createCluster(run(workflowId));
  const { stepId } = await p.addStep({ clusterId, stepName: `songs-etl:${workflowId}`, scriptUri: 's3://emrflow-code/code/x/etl.py', args: ['--mode', 'full'] });
  return { p, clusterId, stepId };
}

describe('EMR provider (moto)', () => {
  it('creating twice for the same run gives one tagged, named cluster', async () => {
    const p = provider();
    const first = await p.createCluster(run('wf-create'));
    const second = await p.createCluster(run('wf-create'));
    expect(first.adopted).toBe(false);
    expect(second).toMatchObject({ clusterId: first.clusterId, adopted: true, name: 'emrflow-wf-create' });
    const other = await p.createCluster({ ...run('wf-create'), runId: 'another-run' });
    expect(other.clusterId).not.toBe(first.clusterId);
    const { Cluster: c } = await emr.send(new DescribeClusterCommand({ ClusterId: first.clusterId }));
    expect(c).toMatchObject({ Name: 'emrflow-wf-create', ReleaseLabel: 'emr-7.13.0', LogUri: 's3://emrflow-logs/logs', VisibleToAllUsers: true });
    expect(Object.fromEntries(c!.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      team: 'data', 'emrflow:managed': 'true', 'emrflow:deployment': deploymentId(config.temporal), 'emrflow:workflow-id': 'wf-create',
      'emrflow:run-id': 'run-wf-create', 'emrflow:pipeline': 'songs-etl',
    });
  });

  it('a new cluster waits for its step; once it has it, it ends with the step (nothing idle is billed)', async () => {
    const p = provider();
    const { clusterId } = await p.createCluster(run('wf-auto-terminate'));
    const autoTerminate = async () => (await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }))).Cluster!.AutoTerminate;
    expect(await autoTerminate()).toBe(false);
    await p.addStep({ clusterId, stepName: 'songs-etl:wf-auto-terminate', scriptUri: 's3://emrflow-code/code/x/etl.py', args: [] });
    expect(await autoTerminate()).toBe(true);
  });

  it('adding the same step twice gives one command-runner step', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-step');
    const again = await p.addStep({ clusterId, stepName: 'songs-etl:wf-step', scriptUri: 's3://emrflow-code/code/x/etl.py', args: [] });
    expect(again).toEqual({ clusterId, stepId, reused: true });
    const { Steps } = await emr.send(new ListStepsCommand({ ClusterId: clusterId }));
    expect(Steps).toHaveLength(1);
    expect(Steps![0]!.ActionOnFailure).toBe('CONTINUE');
    expect(Steps![0]!.Config).toMatchObject({
      Jar: 'command-runner.jar',
      Args: ['spark-submit', '--deploy-mode', 'cluster', 's3://emrflow-code/code/x/etl.py', '--mode', 'full'],
    });
  });

  it('usage: the instance groups [emr] asked for, for the seconds since creation; fixed at the end once terminated (#15)', async () => {
    const p = provider();
    const { clusterId } = await p.createCluster(run('wf-usage'));
    await new Promise((r) => setTimeout(r, 300));
    const alive = await p.usage(clusterId);
    expect(alive.kind).toBe('emr');
    if (alive.kind !== 'emr') return;
    expect(alive.instances.map((i) => `${i.count} ${i.instanceType} ${i.market}`).sort()).toEqual(['1 m5.xlarge ON_DEMAND', '2 m5.xlarge ON_DEMAND']);
    expect(alive.runningSeconds).toBeGreaterThanOrEqual(0.3);
    await p.terminateCluster(clusterId);
    const ended = await p.usage(clusterId);
    const { Cluster: c } = await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }));
    const timeline = c!.Status!.Timeline!;
    // Requested counts, not running ones (0 once terminated): the run paid for them.
    expect(ended).toEqual({ ...alive, runningSeconds: (timeline.EndDateTime!.getTime() - timeline.CreationDateTime!.getTime()) / 1000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await p.usage(clusterId)).toEqual(ended);
  });

  it('terminating twice succeeds; a protected cluster is reported, not forced', async () => {
    const p = provider();
    const { clusterId } = await p.createCluster(run('wf-term'));
    expect(await p.terminateCluster(clusterId)).toMatchObject({ clusterId, action: 'terminated' });
    expect(await p.terminateCluster(clusterId)).toMatchObject({ clusterId, action: 'already-gone' });
    expect(await p.terminateCluster('j-DOESNOTEXIST')).toMatchObject({ action: 'already-gone' });
    const { clusterId: kept } = await p.createCluster(run('wf-protected'));
    await emr.send(new SetTerminationProtectionCommand({ JobFlowIds: [kept], TerminationProtected: true }));
    expect(await p.terminateCluster(kept)).toMatchObject({ action: 'protected' });
    expect((await p.describeCluster(kept)).ended).toBe(false);
  });

  it('lists only managed clusters, reading every page', async () => {
    const p = provider();
    const before = (await p.listClusters({})).length;
    for (let i = 0; i < 55; i += 1) await p.createCluster(run(`wf-many-${i}`));
    for (const Name of ['emrflow-impostor', 'someone-elses']) {
      await emr.send(new RunJobFlowCommand({
        Name, ReleaseLabel: 'emr-7.13.0', ServiceRole: 'r', JobFlowRole: 'r',
        Instances: { MasterInstanceType: 'm5.xlarge', InstanceCount: 1, KeepJobFlowAliveWhenNoSteps: true },
      }));
    }
    const firstPage = await emr.send(new ListClustersCommand({ ClusterStates: ['WAITING'] }));
    expect(firstPage.Marker).toBeDefined(); // so this test does cross a page boundary
    const listed = await p.listClusters({});
    expect(listed).toHaveLength(before + 55);
    expect(listed.every((c) => c.managed && c.name.startsWith('emrflow-wf-'))).toBe(true);
    expect(listed.find((c) => c.ownerWorkflowId === 'wf-many-54')).toMatchObject({ state: 'WAITING', terminationProtected: false });
  });

  it('item 1: every cluster carries its deployment; another deployment lists it as not its own and never adopts it', async () => {
    const prod = provider();
    const staging = new EmrProvider({ emr, s3, config: { ...config, temporal: { ...config.temporal, deployment: 'staging' } } });
    expect(deploymentId(config.temporal)).toMatch(/^default\/emrflow@127\.0\.0\.1:7233 on /);
    const mine = await prod.createCluster(run('wf-deploy'));
    const theirs = await staging.createCluster(run('wf-deploy'));
    expect(theirs.clusterId, 'same workflow id and run id, other deployment: a cluster of its own').not.toBe(mine.clusterId);
    const seenByStaging = await staging.listClusters({});
    expect(seenByStaging.find((c) => c.clusterId === mine.clusterId)).toMatchObject({ ownDeployment: false, deployment: deploymentId(config.temporal) });
    expect(seenByStaging.find((c) => c.clusterId === theirs.clusterId)).toMatchObject({ ownDeployment: true, deployment: 'staging' });
  });

  it('item 10: a cluster whose DescribeCluster fails is listed as unreadable instead of breaking the listing', async () => {
    const p = provider();
    await p.createCluster(run('wf-unreadable'));
    await moto.injectFaults([{ action: 'DescribeCluster', times: 1000, error: '500' }]);
    try {
      const listed = await p.listClusters({});
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((c) => c.unreadable?.includes('internal error'))).toBe(true);
    } finally {
      await moto.injectFaults([]);
    }
  });

  it('item 7: a step seen RUNNING whose cluster then ended by itself completes the wait (it is described again)', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-ends-with-step');
    await moto.setStepState(clusterId, stepId, 'RUNNING');
    // Between waitForStep's describeStep and describeCluster, the step completes and the cluster
    // (KeepJobFlowAliveWhenNoSteps=false) ends itself, as on EMR.
    let first = true;
    const racing = Object.assign(Object.create(p) as EmrProvider, {
      describeStep: async (c: string, s: string) => {
        const status = await p.describeStep(c, s);
        if (first) {
          first = false;
          await moto.setStepState(clusterId, stepId, 'COMPLETED');
          await moto.setClusterState(clusterId, 'TERMINATED', 'Steps completed');
        }
        return status;
      },
    });
    expect(await mockEnv().run(waitForStep, racing, { clusterId, stepId })).toMatchObject({ stepId, state: 'COMPLETED' });
  });

  it('stages the job script once per content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emrflow-stage-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'etl.py');
    writeFileSync(script, 'print("etl")\n');
    const p = provider();
    s3Calls.length = 0;
    const a = await p.stageJob(script);
    const b = await p.stageJob(script);
    expect(b).toEqual(a);
    expect(a.scriptUri).toBe(`s3://emrflow-code/code/${a.contentHash}/etl.py`);
    expect(s3Calls.filter((c) => c === 'PutObjectCommand')).toHaveLength(1);
    expect(s3Calls.filter((c) => c === 'HeadObjectCommand')).toHaveLength(2);
  });

  it('a step driven to FAILED fails the wait with the stderr tail from the log bucket', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-fail');
    const stderr = ['Traceback (most recent call last):', '  File "etl.py", line 9', 'ValueError: bad record in song_data'].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: `logs/${clusterId}/steps/${stepId}/stderr.gz`, Body: gzipSync(stderr) }));
    const waiting = mockEnv().run(waitForStep, p, { clusterId, stepId });
    await moto.setStepState(clusterId, stepId, 'FAILED', 'Step failed with exitCode 1');
    const f = await failureOf(waiting);
    expect(f.type).toBe('SparkStepFailed');
    expect(f.details?.[0]).toMatchObject({ clusterId, stepId, reason: 'Step failed with exitCode 1' });
    expect((f.details?.[0] as { stderrTail: string }).stderrTail).toBe(`[from the step's stderr (spark-submit): s3://emrflow-logs/logs/${clusterId}/steps/${stepId}/stderr.gz]\n${stderr}`);
  });

  it('a step whose logs never arrive still fails, saying so', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-nologs');
    await moto.setStepState(clusterId, stepId, 'FAILED');
    const f = await failureOf(mockEnv().run(waitForStep, p, { clusterId, stepId }));
    expect((f.details?.[0] as { stderrTail: string }).stderrTail).toMatch(/no driver log arrived under s3:\/\/emrflow-logs\/logs\/j-\w+\/ .*after \d+ looks/);
  });

  it('item 8: the failure shows the driver\'s YARN container stderr (not spark-submit\'s client output), waiting for logs that arrive late', async () => {
    const { clusterId, stepId } = await clusterWithStep('wf-container-log');
    const p = new EmrProvider({ emr, s3, config, logWaitMs: 20_000, logRetryMs: 100 });
    const client = 'INFO Client: Application report for application_1_0001 (state: FAILED)\nException in thread "main" org.apache.spark.SparkException: Application finished with failed status';
    const driver = ['Traceback (most recent call last):', '  File "etl.py", line 12', 'ValueError: the real error'].join('\n');
    const base = `logs/${clusterId}`;
    let waits = 0;
    const pending = p.stepLogs(clusterId, stepId, { onWait: () => { waits += 1; } });
    // The logs reach S3 after the step ended: the step's stderr first, the container log later.
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: `${base}/containers/application_1_0001/container_1_0001_01_000002/stderr.gz`, Body: gzipSync('executor noise') }));
    await new Promise((r) => setTimeout(r, 300));
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: `${base}/containers/application_1_0001/container_1_0001_01_000001/stderr.gz`, Body: gzipSync(driver) }));
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: `${base}/steps/${stepId}/stderr.gz`, Body: gzipSync(client) }));
    const logs = await pending;
    expect(waits, 'heartbeats while it waits').toBeGreaterThan(0);
    expect(logs.source).toBe(`s3://emrflow-logs/${base}/containers/application_1_0001/container_1_0001_01_000001/stderr.gz`);
    expect(logs.stderrTail).toContain('ValueError: the real error');
    expect(logs.stderrTail).toMatch(/^\[from the driver's container stderr: s3:\/\//);
    expect(logs.stderrTail).not.toContain('Application report');
  });

  it('item 9: S3 answering 403 for a missing key (the shipped policy) still stages the script and waits for the logs', async () => {
    const forbidden = s3Answering403ForMissingKeys();
    const dir = mkdtempSync(join(tmpdir(), 'emrflow-stage-403-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'etl.py'), `print("403 ${Date.now()}")\n`);
    const p = provider(0.05, forbidden);
    const staged = await p.stageJob(join(dir, 'etl.py'));
    expect(staged.scriptUri).toMatch(/^s3:\/\/emrflow-code\/code\/\w+\/etl\.py$/);
    const { clusterId, stepId } = await clusterWithStep('wf-403');
    expect(await p.stepLogs(clusterId, stepId)).toMatchObject({ found: false });
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-logs', Key: `logs/${clusterId}/steps/${stepId}/stderr.gz`, Body: gzipSync('Traceback\nValueError: x') }));
    expect((await p.stepLogs(clusterId, stepId)).stderrTail).toContain('ValueError: x');
  });

  it('a cluster terminated under a running step fails the wait with ClusterTerminated', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-lost');
    const waiting = mockEnv().run(waitForStep, p, { clusterId, stepId });
    await new Promise((r) => setTimeout(r, 200));
    await moto.setClusterState(clusterId, 'TERMINATED_WITH_ERRORS', 'The master node was lost');
    const f = await failureOf(waiting);
    expect(f.type).toBe('ClusterTerminated');
    expect(f.message).toContain('The master node was lost');
  });

  it('a completed step completes the wait', async () => {
    const { p, clusterId, stepId } = await clusterWithStep('wf-ok');
    await moto.setStepState(clusterId, stepId, 'COMPLETED');
    expect(await mockEnv().run(waitForStep, p, { clusterId, stepId })).toMatchObject({ stepId, state: 'COMPLETED' });
  });

  it('reads the run report from the S3 output location', async () => {
    const report = { run_id: 'r-s3', mode: 'full', rows: { songplays: 7 } };
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: 'out/_reports/r-s3.json', Body: JSON.stringify(report) }));
    const a = createActivities(config, { provider: provider() });
    expect(await a.readRunReport('r-s3')).toEqual(report);
    await expect(a.readRunReport('r-missing')).rejects.toThrow(/run report s3:\/\/emrflow-lake\/out\/_reports\/r-missing\.json could not be read/);
  });
});
