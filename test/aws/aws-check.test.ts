// `emrflow aws check` against moto: each missing thing named with its fix, exit 1; exit 0 once
// everything is there; config gaps and an unreachable endpoint are failed checks too.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMoto, type Moto } from '../support/moto';
import { awsClients, awsEnv, emrflow } from './fixtures/aws-cli';
import { testTempDir } from '../support/temp-dir';

let moto: Moto;
beforeAll(async () => { moto = await startMoto(); });
afterAll(async () => moto?.stop());

const buckets = { code: 'check-code', input: 'check-input', output: 'check-lake' };

test('on a fresh account check exits 1 and names each missing thing with its fix', async () => {
  const r = await emrflow(['aws', 'check'], awsEnv(moto.endpoint, buckets));
  expect(r.code, r.stderr).toBe(1);
  expect(r.lines).toEqual([
    'ok   credentials  arn:aws:sts::123456789012:user/moto',
    'FAIL bucket s3://check-code  does not exist (s3.code_uri, s3.log_uri) — fix: run `emrflow aws bootstrap`, or `aws s3 mb s3://check-code --region us-west-2`',
    'FAIL bucket s3://check-input  does not exist (datalake.input_data) — fix: run `emrflow aws bootstrap`, or `aws s3 mb s3://check-input --region us-west-2`',
    'FAIL bucket s3://check-lake  does not exist (datalake.output_data) — fix: run `emrflow aws bootstrap`, or `aws s3 mb s3://check-lake --region us-west-2`',
    'FAIL service role EMR_DefaultRole  does not exist — fix: run `emrflow aws bootstrap` (or `aws emr create-default-roles`)',
    'FAIL instance profile EMR_EC2_DefaultRole  does not exist — fix: run `emrflow aws bootstrap` (or `aws emr create-default-roles`)',
    'ok   release emr-7.13.0  available in us-west-2',
    'FAIL glue database sparkify  does not exist — fix: run `emrflow aws bootstrap`',
    'FAIL athena workgroup emrflow  does not exist — fix: run `emrflow aws bootstrap`',
    '7 of 9 checks failed',
  ]);
});

test('--json gives the same checks as one stable object', async () => {
  await awsClients(moto.endpoint).s3.send(new CreateBucketCommand({ Bucket: 'json-code', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  const r = await emrflow(['aws', 'check', '--json'], awsEnv(moto.endpoint, { ...buckets, code: 'json-code' }));
  expect(r.code).toBe(1);
  const out = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
  expect(Object.keys(out)).toEqual(['ok', 'checks']);
  expect(out.ok).toBe(false);
  expect(out.checks.map((c) => [c.name, c.ok])).toEqual([
    ['credentials', true], ['bucket s3://json-code', true], ['bucket s3://check-input', false], ['bucket s3://check-lake', false],
    ['service role EMR_DefaultRole', false], ['instance profile EMR_EC2_DefaultRole', false], ['release emr-7.13.0', true],
    ['glue database sparkify', false], ['athena workgroup emrflow', false],
  ]);
  expect(out.checks.filter((c) => !c.ok).every((c) => c.fix?.includes('emrflow aws bootstrap'))).toBe(true);
});

test('unset settings and an unknown release label are failed checks with the setting to change', async () => {
  const env = awsEnv(moto.endpoint, buckets);
  delete (env as Partial<typeof env>).EMRFLOW_S3_CODE_URI;
  delete (env as Partial<typeof env>).EMRFLOW_DATALAKE_INPUT_DATA;
  const r = await emrflow(['aws', 'check'], { ...env, EMRFLOW_EMR_RELEASE_LABEL: 'emr-9.99.0' });
  expect(r.code).toBe(1);
  expect(r.lines[0]).toBe('FAIL config s3.code_uri  is not set (the emr provider needs it) — fix: set [s3] code_uri in dl.cfg, e.g. s3://my-bucket/emrflow/code');
  expect(r.lines[1]).toMatch(/^FAIL config datalake\.input_data {2}is \/\S+\/\.emrflow\/sample-data, not an s3:\/\/ URI .* — fix: set \[datalake\] input_data in dl\.cfg/);
  expect(r.lines).toContain('FAIL release emr-9.99.0  is not an EMR release offered in us-west-2 (newest: emr-7.14.0) — fix: set [emr] release_label in dl.cfg to one that `aws emr list-release-labels --region us-west-2` lists');
});

test('an endpoint nobody answers on fails the credentials check in seconds, naming the endpoint setting', async () => {
  const started = Date.now();
  const r = await emrflow(['aws', 'check'], awsEnv('http://127.0.0.1:9', buckets));
  expect(r.code).toBe(1);
  expect(r.lines[0]).toMatch(/^FAIL credentials {2}AWS did not answer: .* — fix: check the network and \[aws\] region \(us-west-2\) \/ endpoint_url$/);
  expect(Date.now() - started).toBeLessThan(20_000);
});

test('no credentials anywhere: one failed check saying so, and nothing else is looked up', async () => {
  const { EMRFLOW_AWS_ACCESS_KEY_ID: _id, EMRFLOW_AWS_SECRET_ACCESS_KEY: _secret, ...env } = awsEnv(moto.endpoint, buckets);
  const r = await emrflow(['aws', 'check'], { ...env, HOME: testTempDir('emrflow-no-aws-home-') });
  expect(r.code).toBe(1);
  expect(r.lines).toEqual([
    'FAIL credentials  no credentials found: CredentialsProviderError: Could not load credentials from any providers — fix: configure AWS credentials (`aws configure`, AWS_PROFILE, or [aws] profile in dl.cfg)',
    '1 of 1 checks failed',
  ]);
});

test('bad usage exits 2 with one line', async () => {
  const r = await emrflow(['aws', 'check', '--bogus'], awsEnv(moto.endpoint, buckets));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/unknown option '--bogus'/);
});

test('--help of aws, aws check and aws bootstrap: exit 0 with an example', async () => {
  const [group, check, boot] = await Promise.all([['aws'], ['aws', 'check'], ['aws', 'bootstrap']].map((cmd) => emrflow([...cmd, '--help'], {})));
  expect(group?.code).toBe(0);
  expect(group?.stdout).toMatch(/check \[options\][\s\S]*bootstrap \[options\]/);
  expect(check?.code).toBe(0);
  expect(check?.stdout).toContain('$ emrflow aws check');
  expect(boot?.code).toBe(0);
  expect(boot?.stdout).toContain('$ emrflow aws bootstrap --dry-run');
});
