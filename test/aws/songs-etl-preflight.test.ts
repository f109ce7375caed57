// The songs ETL on the EMR provider against moto, with the real activities: a missing bucket
// fails the run at its first stage, within seconds, and no cluster is ever asked for.
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import { startMoto, type Moto } from '../support/moto';
import { connectForTest, testConfig } from '../support/temporal';
import { awsClients, awsEnv } from './fixtures/aws-cli';

let moto: Moto;
let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  [moto, conn] = await Promise.all([startMoto(), connectForTest()]);
});
afterAll(async () => {
  await conn?.close();
  await moto?.stop();
});

test('a run whose code bucket is missing fails at preflight in seconds with the fix, and RunJobFlow is never called', async () => {
  const aws = awsClients(moto.endpoint);
  // Everything else a run needs is there: the data bucket, both roles, the instance profile.
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'wf-data', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  const trust = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
  await aws.iam.send(new CreateRoleCommand({ RoleName: 'EMR_DefaultRole', AssumeRolePolicyDocument: trust('elasticmapreduce.amazonaws.com') }));
  await aws.iam.send(new CreateRoleCommand({ RoleName: 'EMR_EC2_DefaultRole', AssumeRolePolicyDocument: trust('ec2.amazonaws.com') }));
  await aws.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'EMR_EC2_DefaultRole' }));
  await aws.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'EMR_EC2_DefaultRole', RoleName: 'EMR_EC2_DefaultRole' }));

  const config = testConfig({ EMRFLOW_CLUSTER_PROVIDER: 'emr', ...awsEnv(moto.endpoint, { code: 'wf-code', input: 'wf-data', output: 'wf-data' }) });
  const worker = await createWorker({ connection: conn.native, config });
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: config.temporal.task_queue, workflowId: `preflight-moto-${Date.now()}`, args: [{ runDate: '2018-11-15' }],
  });
  const err = await worker.runUntil(handle.result().then(() => undefined, (e: unknown) => e));
  // The run's own duration, as the web UI shows it (start to close).
  const { startTime, closeTime } = await handle.describe();
  const elapsed = (closeTime?.getTime() ?? Infinity) - startTime.getTime();

  expect(err).toBeInstanceOf(WorkflowFailedError);
  const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(failure.type).toBe('PreflightFailed');
  expect(failure.message.split('\n')).toEqual([
    'stage preflight: preflight (emr provider): 1 of 6 checks failed; no cluster was created',
    'FAIL bucket s3://wf-code  does not exist (s3.code_uri, s3.log_uri) — fix: run `emrflow aws bootstrap`, or `aws s3 mb s3://wf-code --region us-west-2`',
    // The run's missing logs are not a preflight failure for songs-etl: its input sensor waits
    // for them (see test/ops/preflight-input.test.ts).
  ]);
  expect(elapsed).toBeLessThan(15_000);
  expect((await aws.emr.send(new ListClustersCommand({}))).Clusters ?? []).toEqual([]);
});

test('AWS not answering is not a verdict: the preflight activity throws a retryable error, not PreflightFailed', async () => {
  const config = testConfig({ EMRFLOW_CLUSTER_PROVIDER: 'emr', ...awsEnv('http://127.0.0.1:9', { code: 'x-code', input: 'x-data', output: 'x-data' }) });
  const err = await createActivities(config).preflight().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'PreflightUnavailable', nonRetryable: false });
  expect((err as ApplicationFailure).message).toMatch(/^preflight could not reach AWS:\nFAIL credentials {2}AWS did not answer: /);
});
