// The EMR preflight looks for the run's input before any cluster is paid for (moto): a daily run
// needs its month's logs, a full run the song and log prefixes; the failure names the path. A
// pipeline with a waitForInput sensor (songs-etl's daily runs) waits for its input there instead.
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import { statusQuery } from '../../workflows/pipeline-run';
import type { TaskStatus } from '../../workflows/pipeline-types';
import { startMoto, type Moto } from '../support/moto';
import { connectForTest, testConfig } from '../support/temporal';
import { awsClients, awsEnv } from '../aws/fixtures/aws-cli';

let moto: Moto;
let conn: Awaited<ReturnType<typeof connectForTest>>;
let env: Record<string, string>;
beforeAll(async () => {
  [moto, conn] = await Promise.all([startMoto(), connectForTest()]);
  const aws = awsClients(moto.endpoint);
  for (const Bucket of ['in-code', 'in-data'])
    await aws.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  const trust = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
  await aws.iam.send(new CreateRoleCommand({ RoleName: 'EMR_DefaultRole', AssumeRolePolicyDocument: trust('elasticmapreduce.amazonaws.com') }));
  await aws.iam.send(new CreateRoleCommand({ RoleName: 'EMR_EC2_DefaultRole', AssumeRolePolicyDocument: trust('ec2.amazonaws.com') }));
  await aws.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'EMR_EC2_DefaultRole' }));
  await aws.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'EMR_EC2_DefaultRole', RoleName: 'EMR_EC2_DefaultRole' }));
  // Songs and the logs of November 2018 only.
  for (const Key of ['sparkify/song_data/A/A/A/TRAAAAW128F429D538.json', 'sparkify/log_data/2018/11/2018-11-15-events.json'])
    await aws.s3.send(new PutObjectCommand({ Bucket: 'in-data', Key, Body: '{}\n' }));
  env = { EMRFLOW_CLUSTER_PROVIDER: 'emr', ...awsEnv(moto.endpoint, { code: 'in-code', input: 'in-data', output: 'in-data' }) };
});
afterAll(async () => {
  await conn?.close();
  await moto?.stop();
});

const failedLines = (message: string) => message.split('\n').filter((l) => l.startsWith('FAIL'));

test('a daily songs-etl run for a month without logs waits at its input sensor: no cluster is paid for, and the preflight names the prefix', async () => {
  // songs-etl waits for a daily run's log file (a late delivery is not a failure), so its preflight
  // leaves the input to the sensor; the check itself is the preflight's, for pipelines without one.
  const config = testConfig(env);
  const worker = await createWorker({ connection: conn.native, config });
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: config.temporal.task_queue, workflowId: `preflight-input-${Date.now()}`, args: [{ runDate: '2018-12-03' }],
  });
  await worker.runUntil(async () => {
    let input: TaskStatus | undefined;
    for (let i = 0; i < 100 && input?.state !== 'running'; i += 1) {
      input = (await handle.query(statusQuery)).tasks?.find((t) => t.id === 'input');
      if (input?.state !== 'running') await new Promise((r) => setTimeout(r, 200));
    }
    expect(input).toMatchObject({ state: 'running', waitingFor: expect.stringContaining('s3://in-data/sparkify/log_data/2018/12/2018-12-03-events.json') });
    expect((await awsClients(moto.endpoint).emr.send(new ListClustersCommand({}))).Clusters ?? []).toEqual([]);
    await handle.cancel();
    await handle.result().catch(() => undefined);
  });
  const err = await createActivities(config).preflight({ mode: 'daily', runDate: '2018-12-03' }).catch((e: unknown) => e) as ApplicationFailure;
  expect(err.type).toBe('PreflightFailed');
  expect(failedLines(err.message)).toEqual([
    'FAIL input s3://in-data/sparkify/log_data/2018/12/  no objects: the logs of 2018-12, which a daily run for 2018-12-03 reads, are missing — fix: upload them (e.g. `aws s3 sync <dir>/log_data/2018/12/ s3://in-data/sparkify/log_data/2018/12/`), or check [datalake] input_data and the run date',
  ]);
});

test('a daily run whose month has logs, and a full run with song and log data, pass the input checks', async () => {
  const activities = createActivities(testConfig(env));
  const daily = await activities.preflight({ mode: 'daily', runDate: '2018-11-20' });
  expect(daily.checks.filter((c) => c.name.startsWith('input ')).map((c) => [c.name, c.ok]))
    .toEqual([['input s3://in-data/sparkify/log_data/2018/11/', true]]);
  const full = await activities.preflight({ mode: 'full', runDate: '2018-11-20' });
  expect(full.checks.filter((c) => c.name.startsWith('input ')).map((c) => [c.name, c.ok]))
    .toEqual([['input s3://in-data/sparkify/song_data/', true], ['input s3://in-data/sparkify/log_data/', true]]);
});

test('a full run with no song data fails naming the song prefix', async () => {
  const config = testConfig({ ...env, EMRFLOW_DATALAKE_INPUT_DATA: 's3://in-data/sparkify/log_data' });
  const err = await createActivities(config).preflight({ mode: 'full', runDate: '2018-11-20' }).catch((e: unknown) => e) as ApplicationFailure;
  expect(err.type).toBe('PreflightFailed');
  expect(failedLines(err.message).map((l) => l.split('  ')[0])).toEqual([
    'FAIL input s3://in-data/sparkify/log_data/song_data/', 'FAIL input s3://in-data/sparkify/log_data/log_data/',
  ]);
});
