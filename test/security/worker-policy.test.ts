// infra/aws/worker-policy.json is the least privilege the worker needs: every AWS call the
// activities make is allowed, EMR cluster actions only on clusters tagged emrflow:managed=true,
// S3 only under the configured prefixes (delete only under the output, which the worker publishes),
// iam:PassRole only on the two EMR roles.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';

interface Statement { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }
const policy = JSON.parse(readFileSync(join(repoRoot, 'infra/aws/worker-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const grants = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action).map((action) => ({ action, s })));

// The catalog's Glue calls (activities/catalog/register.ts): each is the glue: action of its name.
const GLUE_CALLS = ['GetDatabase', 'GetTable', 'GetPartitions', 'CreateTable', 'UpdateTable', 'BatchCreatePartition', 'BatchDeletePartition'];
// The emr-serverless provider's calls (activities/providers/emr-serverless): emr-serverless:<call>.
const SERVERLESS_CALLS = ['CreateApplication', 'GetApplication', 'ListApplications', 'StartApplication', 'StartJobRun', 'GetJobRun', 'ListJobRuns', 'CancelJobRun', 'GetDashboardForJobRun'];

function sdkCommandsInActivities(dir = join(repoRoot, 'activities')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sdkCommandsInActivities(path);
    return name.endsWith('.ts') ? [...readFileSync(path, 'utf8').matchAll(/new ([A-Z]\w+)Command\(/g)].map((m) => m[1]!) : [];
  });
}

test('exact action names (no wildcards); the only Denys keep emrflow:* tags from being changed', () => {
  expect(policy.Version).toBe('2012-10-17');
  for (const s of policy.Statement.filter((x) => x.Effect !== 'Allow')) expect(['NeverRetagEmrflowTagsOnExistingClusters', 'ServerlessNeverRetagEmrflowTags']).toContain(s.Sid);
  for (const { action, s } of grants) {
    expect(action, s.Sid).not.toContain('*');
  }
});

test('every AWS call the activities make is allowed', () => {
  const iamFor: Record<string, string> = { HeadObject: 's3:GetObject', GetObject: 's3:GetObject', ListObjectsV2: 's3:ListBucket', PutObject: 's3:PutObject', CopyObject: 's3:PutObject', DeleteObject: 's3:DeleteObject', DeleteObjects: 's3:DeleteObject', GetRole: 'iam:GetRole', GetInstanceProfile: 'iam:GetInstanceProfile', GetCallerIdentity: 'sts:GetCallerIdentity', DescribeSubnets: 'ec2:DescribeSubnets', DescribeSecurityGroups: 'ec2:DescribeSecurityGroups' };
  const calls = [...new Set(sdkCommandsInActivities())];
  expect(calls).toContain('RunJobFlow');
  expect(calls).toContain('StartJobRun');
  const allowed = new Set(grants.map((g) => g.action));
  for (const call of calls) {
    const action = iamFor[call] ?? (GLUE_CALLS.includes(call) ? `glue:${call}` : SERVERLESS_CALLS.includes(call) ? `emr-serverless:${call}` : `elasticmapreduce:${call}`);
    // GetCallerIdentity needs no permission at all.
    if (action !== 'sts:GetCallerIdentity') expect(allowed.has(action), `${call} -> ${action}`).toBe(true);
  }
});

// (Which EMR requests are allowed on which clusters is checked by behaviour, in worker-policy-behaviour.test.ts.)

test('IAM: PassRole only on the two EMR roles, to EMR and EC2 only, and on the execution role to EMR Serverless only; no other IAM write', () => {
  const iam = grants.filter((g) => g.action.startsWith('iam:'));
  expect(iam.map((g) => g.action).sort()).toEqual(['iam:GetInstanceProfile', 'iam:GetRole', 'iam:PassRole', 'iam:PassRole']);
  const serverless = policy.Statement.find((s) => s.Sid === 'PassOnlyTheServerlessExecutionRole')!;
  expect(serverless.Resource).toBe('arn:aws:iam::${AccountId}:role/${ExecutionRole}');
  expect(serverless.Condition?.StringEquals?.['iam:PassedToService']).toBe('emr-serverless.amazonaws.com');
  const pass = iam.find((g) => g.action === 'iam:PassRole')!.s;
  expect(list(pass.Resource).sort()).toEqual([
    'arn:aws:iam::${AccountId}:role/${InstanceProfileRole}', 'arn:aws:iam::${AccountId}:role/${ServiceRole}']);
  expect(pass.Condition?.StringEquals?.['iam:PassedToService']).toEqual(['elasticmapreduce.amazonaws.com', 'ec2.amazonaws.com']);
  for (const { s } of iam) for (const r of list(s.Resource)) expect(r).toMatch(/^arn:aws:iam::\$\{AccountId\}:(role|instance-profile)\/\$\{\w+\}$/);
});

test('S3: objects only under the configured prefixes, listing only of those prefixes, delete only under the output', () => {
  const s3 = grants.filter((g) => g.action.startsWith('s3:'));
  expect([...new Set(s3.map((g) => g.action))].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
  // Publishing (activities/publish) moves the run's staged tables into place and removes what they replace.
  for (const { s } of s3.filter((g) => g.action === 's3:DeleteObject')) expect(list(s.Resource)).toEqual(['arn:aws:s3:::${OutputBucket}/${OutputPrefix}/*']);
  for (const { action, s } of s3) {
    for (const r of list(s.Resource)) {
      if (action === 's3:ListBucket') expect(r).toMatch(/^arn:aws:s3:::\$\{\w+Bucket\}$/);
      else expect(r, action).toMatch(/^arn:aws:s3:::\$\{\w+Bucket\}\/\$\{\w+Prefix\}\/.*\*$/);
    }
    if (action === 's3:ListBucket') {
      const prefixes = s.Condition?.StringLike?.['s3:prefix'] as string[];
      expect(prefixes.length).toBeGreaterThan(0);
      for (const p of prefixes) expect(p).toMatch(/^\$\{\w+Prefix\}\/\*$/);
    }
  }
});

test('EMR Serverless: creating and starting only with emrflow:* request tags; every other call only on emrflow-tagged applications and job runs', () => {
  const calls = grants.filter((g) => g.action.startsWith('emr-serverless:'));
  expect([...new Set(calls.map((g) => g.action))].sort()).toEqual([...SERVERLESS_CALLS, 'TagResource'].map((c) => `emr-serverless:${c}`).sort());
  for (const { action, s } of calls) {
    if (action === 'emr-serverless:ListApplications') continue; // listing has no resource scope
    const scoped = s.Condition?.StringEquals?.['aws:ResourceTag/emrflow:managed'] ?? s.Condition?.StringEquals?.['aws:RequestTag/emrflow:managed'];
    expect(scoped, `${action} in ${s.Sid}`).toBe('true');
  }
});

test('Glue: only the catalog\'s calls, only on the configured database and its tables; no delete of tables or databases', () => {
  const glue = grants.filter((g) => g.action.startsWith('glue:'));
  expect(glue.map((g) => g.action).sort()).toEqual([...GLUE_CALLS.map((c) => `glue:${c}`)].sort());
  for (const { action, s } of glue) {
    expect(list(s.Resource).sort(), action).toEqual([
      'arn:aws:glue:${Region}:${AccountId}:catalog',
      'arn:aws:glue:${Region}:${AccountId}:database/${GlueDatabase}',
      'arn:aws:glue:${Region}:${AccountId}:table/${GlueDatabase}/*',
    ]);
  }
});
