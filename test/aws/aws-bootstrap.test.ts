// `emrflow aws bootstrap` against moto, checked through the S3 and IAM APIs: --dry-run creates
// nothing; a run creates hardened buckets and the two roles; the second run changes nothing;
// `aws check` then passes. One moto for the file: the tests build on each other in order.
import {
  CreateRoleCommand, GetInstanceProfileCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, GetBucketLocationCommand, GetBucketTaggingCommand, GetPublicAccessBlockCommand,
  GetBucketEncryptionCommand, ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMoto, type Moto } from '../support/moto';
import { awsClients, awsEnv, emrflow } from './fixtures/aws-cli';

let moto: Moto;
let aws: ReturnType<typeof awsClients>;
let env: Record<string, string>;
beforeAll(async () => {
  moto = await startMoto();
  aws = awsClients(moto.endpoint);
  env = awsEnv(moto.endpoint, { code: 'boot-code', input: 'boot-input', output: 'boot-lake' });
  // The user already has an input bucket of their own: bootstrap must leave it as it is.
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'boot-input', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
});
afterAll(async () => moto?.stop());

const bucketNames = async () => ((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).sort();
const trustedService = (doc: string | undefined) =>
  (JSON.parse(decodeURIComponent(doc ?? '{}')) as { Statement: { Principal: { Service: string } }[] }).Statement[0]?.Principal.Service;

describe.sequential('aws bootstrap', () => {
  test('--dry-run prints what it would create and creates nothing', async () => {
    const r = await emrflow(['aws', 'bootstrap', '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toEqual([
      'would create bucket s3://boot-code  in us-west-2, public access blocked, default encryption SSE-S3 (AES256) (s3.code_uri, s3.log_uri)',
      'exists       bucket s3://boot-input  (datalake.input_data) left as it is',
      'would create bucket s3://boot-lake  in us-west-2, public access blocked, default encryption SSE-S3 (AES256) (datalake.output_data)',
      'would create role EMR_DefaultRole  trusts elasticmapreduce.amazonaws.com, policy AmazonEMRServicePolicy_v2',
      'would create role EMR_EC2_DefaultRole  trusts ec2.amazonaws.com, policy AmazonElasticMapReduceforEC2Role',
      'would create instance profile EMR_EC2_DefaultRole  holding role EMR_EC2_DefaultRole',
      'would create glue database sparkify  for the tables the catalog stage registers ([catalog] database)',
      'would create athena workgroup emrflow  query results to s3://boot-code/emrflow/athena-results/, encrypted (SSE-S3)',
      'dry run: 7 to create or update as arn:aws:sts::123456789012:user/moto; nothing was changed',
    ]);
    expect(await bucketNames()).toEqual(['boot-input']);
    expect((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).toEqual([]);
  });

  test('creates the buckets hardened and the roles with their trust, managed policy and tag', async () => {
    const r = await emrflow(['aws', 'bootstrap'], env);
    expect(r.code, r.stderr).toBe(0);
    // "<verb, padded> <kind> <name>  <detail>": the verb and the resource of each line.
    expect(r.lines.map((l) => l.replace(/ +/, ' ').split('  ')[0])).toEqual([
      'created bucket s3://boot-code', 'exists bucket s3://boot-input', 'created bucket s3://boot-lake',
      'created role EMR_DefaultRole', 'created role EMR_EC2_DefaultRole', 'created instance profile EMR_EC2_DefaultRole',
      'created glue database sparkify', 'created athena workgroup emrflow',
      'created 7, updated 0, 1 already existed; next: emrflow aws check',
    ]);
    expect(await bucketNames()).toEqual(['boot-code', 'boot-input', 'boot-lake']);
    for (const Bucket of ['boot-code', 'boot-lake']) {
      const block = (await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration;
      expect(block).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      const rules = (await aws.s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules;
      expect(rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
      expect((await aws.s3.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBe('us-west-2');
      expect((await aws.s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'emrflow:managed', Value: 'true' }]);
    }
    // The user's own bucket was not touched.
    await expect(aws.s3.send(new GetBucketTaggingCommand({ Bucket: 'boot-input' }))).rejects.toMatchObject({ name: 'NoSuchTagSet' });

    const service = (await aws.iam.send(new GetRoleCommand({ RoleName: 'EMR_DefaultRole' }))).Role;
    expect(trustedService(service?.AssumeRolePolicyDocument)).toBe('elasticmapreduce.amazonaws.com');
    expect(service?.Tags).toEqual([{ Key: 'emrflow:managed', Value: 'true' }]);
    const ec2 = (await aws.iam.send(new GetRoleCommand({ RoleName: 'EMR_EC2_DefaultRole' }))).Role;
    expect(trustedService(ec2?.AssumeRolePolicyDocument)).toBe('ec2.amazonaws.com');
    const policies = async (RoleName: string) =>
      ((await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? []).map((p) => p.PolicyArn);
    expect(await policies('EMR_DefaultRole')).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2']);
    expect(await policies('EMR_EC2_DefaultRole')).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role']);
    const profile = (await aws.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'EMR_EC2_DefaultRole' }))).InstanceProfile;
    expect(profile?.Roles?.map((role) => role.RoleName)).toEqual(['EMR_EC2_DefaultRole']);
  });

  test('a second run finds everything and changes nothing', async () => {
    const roleBefore = (await aws.iam.send(new GetRoleCommand({ RoleName: 'EMR_DefaultRole' }))).Role?.RoleId;
    const r = await emrflow(['aws', 'bootstrap', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; ok: boolean; actions: { kind: string; name: string; action: string }[] };
    expect(out).toMatchObject({ dryRun: false, ok: true });
    expect(out.actions.map((a) => `${a.action} ${a.kind} ${a.name}`)).toEqual([
      'exists bucket s3://boot-code', 'exists bucket s3://boot-input', 'exists bucket s3://boot-lake',
      'exists role EMR_DefaultRole', 'exists instance profile EMR_EC2_DefaultRole',
      'exists glue database sparkify', 'exists athena workgroup emrflow',
    ]);
    expect((await aws.iam.send(new GetRoleCommand({ RoleName: 'EMR_DefaultRole' }))).Role?.RoleId).toBe(roleBefore);
    const text = await emrflow(['aws', 'bootstrap'], env);
    expect(text.lines.at(-1)).toBe('everything exists; nothing changed');
  });

  test('aws check then passes', async () => {
    const r = await emrflow(['aws', 'check'], env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.lines.at(-1)).toBe('all 9 checks passed: ready for [cluster] provider = emr');
    expect(r.lines.every((l) => !l.startsWith('FAIL'))).toBe(true);
  });

  test('a role a stopped bootstrap left without its policy gets the policy; nobody else\'s role is touched', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'elasticmapreduce.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'Half_Made', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'emrflow:managed', Value: 'true' }] }));
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'Someone_Elses', AssumeRolePolicyDocument: trust }));
    const half = await emrflow(['aws', 'bootstrap'], { ...env, EMRFLOW_EMR_SERVICE_ROLE: 'Half_Made' });
    expect(half.code, half.stderr).toBe(0);
    expect(half.lines).toContain('updated      role Half_Made  attached AmazonEMRServicePolicy_v2');
    const theirs = await emrflow(['aws', 'bootstrap'], { ...env, EMRFLOW_EMR_SERVICE_ROLE: 'Someone_Elses' });
    expect(theirs.lines.find((l) => l.includes('Someone_Elses'))).toMatch(/^exists {7}role Someone_Elses .* left as it is$/);
    expect((await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Someone_Elses' }))).AttachedPolicies).toEqual([]);
  });

  test('settings bootstrap cannot work from are one line and exit 2', async () => {
    const { EMRFLOW_S3_LOG_URI: _unset, ...rest } = env;
    const r = await emrflow(['aws', 'bootstrap'], rest);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('emrflow: dl.cfg: cannot bootstrap: s3.log_uri is not set (the emr provider needs it) — fix: set [s3] log_uri in dl.cfg, e.g. s3://my-bucket/emrflow/logs');
  });
});
