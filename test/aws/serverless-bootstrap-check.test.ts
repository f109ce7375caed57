// `emrflow aws check` / `aws bootstrap` with [cluster] provider = emr-serverless, against moto:
// check names what is missing (buckets, execution role); bootstrap creates the buckets, the
// execution role (trusting EMR Serverless, with access to the buckets) and emrflow's application;
// check then passes; a wrong application id is one line naming the setting and the fix.
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { EMRServerlessClient, ListApplicationsCommand } from '@aws-sdk/client-emr-serverless';
import { ApplicationFailure } from '@temporalio/common';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ec2Client, emrClient, emrServerlessClient, iamClient, s3Client, stsClient } from '../../activities/aws-clients';
import { preflight } from '../../activities/preflight';
import { loadConfig } from '../../infra/config';
import { startMoto, type Moto } from '../support/moto';
import { awsClients, awsEnv, emrflow } from './fixtures/aws-cli';

let moto: Moto;
let aws: ReturnType<typeof awsClients>;
let env: Record<string, string>;
let serverless: EMRServerlessClient;
beforeAll(async () => {
  moto = await startMoto();
  aws = awsClients(moto.endpoint);
  serverless = new EMRServerlessClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  env = {
    ...awsEnv(moto.endpoint, { code: 'sl-code', input: 'sl-input', output: 'sl-lake' }),
    EMRFLOW_CLUSTER_PROVIDER: 'emr-serverless',
    EMRFLOW_EMR_SERVERLESS_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/emrflow-serverless-job',
  };
});
afterAll(async () => moto?.stop());

const verbs = (lines: string[]) => lines.map((l) => l.replace(/ +/, ' ').split('  ')[0]);

describe.sequential('aws bootstrap and check for emr-serverless', () => {
  test('check before bootstrap: the buckets and the execution role are missing, each with its fix', async () => {
    const r = await emrflow(['aws', 'check'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL bucket s3:\/\/sl-code {2}does not exist .* — fix: run `emrflow aws bootstrap`/);
    expect(r.stdout).toMatch(/FAIL execution role emrflow-serverless-job {2}does not exist \(\[emr_serverless\] execution_role_arn = arn:aws:iam::123456789012:role\/emrflow-serverless-job\) — fix: run `emrflow aws bootstrap`/);
    expect(r.stdout).toMatch(/ok {3}application emrflow {2}emrflow creates or reuses its own application/);
  });

  test('bootstrap creates the buckets, the execution role and the application; a second run changes nothing', async () => {
    const r = await emrflow(['aws', 'bootstrap'], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(verbs(r.lines)).toEqual(expect.arrayContaining([
      'created bucket s3://sl-code', 'created bucket s3://sl-input', 'created bucket s3://sl-lake',
      'created execution role emrflow-serverless-job', 'created application emrflow',
    ]));
    expect(r.stdout).not.toMatch(/EMR_DefaultRole|instance profile/);
    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: 'emrflow-serverless-job' }))).Role!;
    expect(decodeURIComponent(role.AssumeRolePolicyDocument!)).toContain('emr-serverless.amazonaws.com');
    const policy = await aws.iam.send(new GetRolePolicyCommand({ RoleName: 'emrflow-serverless-job', PolicyName: 'emrflow-job-access' }));
    expect(decodeURIComponent(policy.PolicyDocument!)).toContain('arn:aws:s3:::sl-lake/*');
    const apps = (await serverless.send(new ListApplicationsCommand({}))).applications ?? [];
    expect(apps.map((a) => [a.name, a.type?.toUpperCase()])).toEqual([['emrflow', 'SPARK']]);
    const again = await emrflow(['aws', 'bootstrap'], env);
    expect(again.code).toBe(0);
    expect(again.lines.at(-1)).toBe('everything exists; nothing changed');
    expect((await serverless.send(new ListApplicationsCommand({}))).applications).toHaveLength(1);
  });

  test('check then passes', async () => {
    const r = await emrflow(['aws', 'check'], env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.lines.at(-1)).toMatch(/^all \d+ checks passed: ready for \[cluster\] provider = emr-serverless$/);
    expect(r.stdout).toMatch(/ok {3}execution role emrflow-serverless-job {2}arn:aws:iam::123456789012:role\/emrflow-serverless-job \(trusts emr-serverless.amazonaws.com\)/);
  });

  test('a wrong application id fails the check with one line naming [emr_serverless] application_id', async () => {
    const r = await emrflow(['aws', 'check'], { ...env, EMRFLOW_EMR_SERVERLESS_APPLICATION_ID: '00nosuchapp00000' });
    expect(r.code).toBe(1);
    const failed = r.lines.filter((l) => l.startsWith('FAIL'));
    expect(failed).toEqual([
      'FAIL application 00nosuchapp00000  does not exist in us-west-2 ([emr_serverless] application_id) — fix: set [emr_serverless] application_id to one `aws emr-serverless list-applications` shows, or unset it to let emrflow create one',
    ]);
  });

  test('a run\'s preflight with a wrong application id fails in one line naming the setting, before any job run', async () => {
    const config = loadConfig({ cwd: tmpdir(), env: { ...env, EMRFLOW_EMR_SERVERLESS_APPLICATION_ID: '00nosuchapp00000' } }).config;
    const clients = { s3: s3Client(config.aws), emr: emrClient(config.aws), iam: iamClient(config.aws), sts: stsClient(config.aws), ec2: ec2Client(config.aws), emrServerless: emrServerlessClient(config.aws) };
    const failure = await preflight(config, { sparkSubmit: 'unused', awsClients: () => clients }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('PreflightFailed');
    expect((failure as ApplicationFailure).message.split('\n').slice(1)).toEqual([
      'FAIL application 00nosuchapp00000  does not exist in us-west-2 ([emr_serverless] application_id) — fix: set [emr_serverless] application_id to one `aws emr-serverless list-applications` shows, or unset it to let emrflow create one',
    ]);
    expect(await moto.jobRuns()).toEqual([]);
  });
});
