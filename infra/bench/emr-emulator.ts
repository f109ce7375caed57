// moto (test/support/moto.ts) as the EMR, S3 and Glue a benchmark runs against: buckets, IAM
// roles and input objects in place so the run's preflight passes, and the Glue database its
// catalog task registers the tables in (test/bench/emulator-preflight.test.ts
// runs the real preflight against it), clusters on a simulated timeline (emr_lifecycle.py),
// and an emrflow config pointed at it.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateDatabaseCommand } from '@aws-sdk/client-glue';
import { glueClient, iamClient, s3Client } from '../../activities/aws-clients';
import { startMoto, type Moto } from '../../test/support/moto';
import type { EmrflowConfig } from '../config';
import { benchConfig } from './bench-config';

export const EMR_ENV = {
  EMRFLOW_CLUSTER_PROVIDER: 'emr',
  EMRFLOW_AWS_ACCESS_KEY_ID: 'testing',
  EMRFLOW_AWS_SECRET_ACCESS_KEY: 'testing',
  EMRFLOW_S3_CODE_URI: 's3://bench-code/code',
  EMRFLOW_S3_LOG_URI: 's3://bench-logs/logs',
  EMRFLOW_DATALAKE_INPUT_DATA: 's3://bench-lake/in',
  EMRFLOW_DATALAKE_OUTPUT_DATA: 's3://bench-lake/out',
};

/** A song file and a log file (of the daily runs' month too), under [datalake] input_data. */
export const INPUT_KEYS = ['in/song_data/A/A/A/TRAAAAA.json', 'in/log_data/2018/11/2018-11-01-events.json'];

const ASSUME_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
});

export async function startEmulator(temporalAddress: string, dir: string): Promise<{ moto: Moto; config: EmrflowConfig }> {
  const moto = await startMoto();
  const config = benchConfig(temporalAddress, dir, { ...EMR_ENV, EMRFLOW_AWS_ENDPOINT_URL: moto.endpoint });
  const s3 = s3Client(config.aws);
  for (const Bucket of ['bench-code', 'bench-logs', 'bench-lake'])
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  // One object under each prefix a run reads (preflight checks that a run has input; the simulated step reads nothing).
  for (const Key of INPUT_KEYS) await s3.send(new PutObjectCommand({ Bucket: 'bench-lake', Key, Body: '{}\n' }));
  const iam = iamClient(config.aws);
  for (const RoleName of [config.emr.service_role, config.emr.instance_profile])
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: ASSUME_EC2 }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: config.emr.instance_profile }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: config.emr.instance_profile, RoleName: config.emr.instance_profile }));
  await glueClient(config.aws).send(new CreateDatabaseCommand({ DatabaseInput: { Name: config.catalog.database } }));
  return { moto, config };
}
