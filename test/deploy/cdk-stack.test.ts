// Issue #26: the CDK app (deploy/) with the example context and provider = emr, synthesized once
// with no AWS account: what `aws bootstrap` creates under the same names, buckets locked down,
// the worker role holding exactly infra/aws/worker-policy.json, the worker service non-root on
// a read-only root file system and rolling without losing runs; cdk-nag and cfn-lint pass.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, test } from 'vitest';
import { emrTargets } from '../../activities/preflight/emr-targets';
import { policyValues, renderWorkerPolicy } from '../../deploy/worker-policy';
import { WILDCARD_REASONS, workerWildcardAcknowledgements } from '../../deploy/nag-suppressions';
import { repoRoot, venvBin } from '../../infra/paths';
import { envOf, parseDockerfile } from '../support/dockerfile';
import { synthesize, type Synthesized } from '../support/cdk-synth';

let s: Synthesized;
beforeAll(() => { s = synthesize(); }, 120_000);

const ofType = (type: string) => Object.values(s.json.Resources).filter((r) => r.Type === type).map((r) => r.Properties ?? {});

/** A CloudFormation string expression as text: Fn::Join and Ref of pseudo parameters become ${AWS::…}. */
function flatten(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(flatten);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o && String(o.Ref).startsWith('AWS::')) return `\${${String(o.Ref)}}`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, flatten(x)]));
  }
  return v;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
/**
 * Statements with Action and Resource compared as sets: a one-item list may be written as a
 * string, and the CDK drops a repeated resource (code, logs and output in one bucket).
 */
const normalised = (statements: Record<string, unknown>[]) => statements.map((st) => Object.fromEntries(Object.entries(st)
  .map(([k, v]) => [k, ['Action', 'Resource'].includes(k) ? [...new Set(asList(v).map(String))].sort() : v])));

test('the buckets, EMR roles, instance profile, Glue database and Athena workgroup carry the names `emrflow aws bootstrap` gives them', () => {
  const names = ofType('AWS::S3::Bucket').map((b) => b.BucketName).filter(Boolean).sort();
  expect(names).toEqual(emrTargets(s.ctx.config).buckets.map((b) => b.bucket).sort());
  expect(names).toEqual(['example-emrflow-prod', 'example-sparkify-prod']);
  s.template.hasResourceProperties('AWS::IAM::Role', {
    RoleName: 'EMR_DefaultRole',
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'elasticmapreduce.amazonaws.com' } })] },
    ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2'],
  });
  s.template.hasResourceProperties('AWS::IAM::Role', {
    RoleName: 'EMR_EC2_DefaultRole',
    ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role'],
  });
  s.template.hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: 'EMR_EC2_DefaultRole' });
  s.template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'sparkify' } });
  s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
    Name: 'emrflow',
    WorkGroupConfiguration: Match.objectLike({ ResultConfiguration: { OutputLocation: 's3://example-emrflow-prod/emrflow/athena-results/', EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } } }),
  });
  // Serverless pieces only with provider = emr-serverless (test/deploy/cdk-serverless.test.ts).
  s.template.resourceCountIs('AWS::EMRServerless::Application', 0);
});

test('every bucket blocks all public access, is encrypted, refuses plain HTTP and is kept when the stack goes', () => {
  const buckets = Object.entries(s.json.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  expect(buckets.length).toBe(3);
  for (const [id, b] of buckets) {
    expect(b.Properties?.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(b.Properties?.BucketEncryption, id).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect((b as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
  }
  for (const policy of ofType('AWS::S3::BucketPolicy')) {
    expect((policy.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  }
  expect(ofType('AWS::S3::BucketPolicy').length).toBe(3);
});

test('logs expire after the configured days and staging no run cleaned up after its keep time plus two weeks, only under their prefixes', () => {
  const rules = (name: string) => (ofType('AWS::S3::Bucket').find((b) => b.BucketName === name)!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
  expect(rules('example-emrflow-prod')).toEqual(expect.arrayContaining([
    expect.objectContaining({ Id: 'expire-emr-logs', Prefix: 'emrflow/logs/', ExpirationInDays: 30, Status: 'Enabled' }),
    expect.objectContaining({ Id: 'expire-abandoned-staging', Prefix: 'sparkify/lake/_staging/', ExpirationInDays: 3 + 14, Status: 'Enabled' }),
  ]));
  // The input bucket holds neither: nothing of it ever expires.
  expect(rules('example-sparkify-prod').map((r) => r.Id)).toEqual(['abort-incomplete-uploads']);
});

test('the worker role holds exactly the statements of infra/aws/worker-policy.json, filled with the stack\'s names', () => {
  const roles = ofType('AWS::IAM::Role').filter((r) => (r.AssumeRolePolicyDocument as { Statement: { Principal: { Service: string } }[] }).Statement[0]!.Principal.Service === 'ecs-tasks.amazonaws.com');
  const worker = roles.filter((r) => (r.Policies as { PolicyName: string }[] | undefined)?.some((p) => p.PolicyName === 'emrflow-worker'));
  expect(worker).toHaveLength(1);
  const policies = worker[0]!.Policies as { PolicyName: string; PolicyDocument: { Statement: Record<string, unknown>[] } }[];
  expect(policies.map((p) => p.PolicyName)).toEqual(['emrflow-worker']);
  const expected = renderWorkerPolicy(policyValues(s.ctx.config, '${AWS::AccountId}', '${AWS::Region}')).Statement;
  expect(expected.length).toBe(JSON.parse(readFileSync(join(repoRoot, 'infra/aws/worker-policy.json'), 'utf8')).Statement.length);
  expect(normalised(flatten(policies[0]!.PolicyDocument.Statement) as Record<string, unknown>[])).toEqual(normalised(expected));
  // And nothing else is attached to it.
  expect(ofType('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Roles).includes('WorkerRole'))).toEqual([]);
});

test('no policy in the stack lets anybody pass any role (no wildcard on iam:PassRole)', () => {
  const statements: Record<string, unknown>[] = [];
  for (const r of Object.values(s.json.Resources)) {
    const p = r.Properties ?? {};
    for (const doc of [p.PolicyDocument, ...((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((x) => x.PolicyDocument)]) {
      if (doc) statements.push(...(flatten(doc) as { Statement: Record<string, unknown>[] }).Statement);
    }
  }
  const passing = statements.filter((st) => st.Effect === 'Allow' && asList(st.Action).some((a) => /^iam:(PassRole|\*)$|^\*$/.test(String(a))));
  expect(passing.length).toBe(2);
  for (const st of passing) for (const resource of asList(st.Resource)) expect(String(resource), String(st.Sid)).toMatch(/^arn:aws:iam::\$\{AWS::AccountId\}:role\/[\w+=,.@-]+$/);
});

test('the worker runs the image as its non-root user on a read-only root file system, with a writable /tmp and its health check', () => {
  const image = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const runtime = image.stages[image.stages.length - 1]!;
  const user = runtime.instructions.filter((i) => i.keyword === 'USER').pop()!.args;
  expect(user).not.toMatch(/^(0|root)(:|$)/);
  const [task] = ofType('AWS::ECS::TaskDefinition');
  const [container] = task!.ContainerDefinitions as Record<string, unknown>[];
  expect(container).toMatchObject({
    Image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/emrflow:0.1.0', User: user, ReadonlyRootFilesystem: true,
    MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }], StopTimeout: 60,
    LogConfiguration: { LogDriver: 'awslogs' },
  });
  expect(task!.Volumes).toEqual([{ Name: 'tmp' }]);
  expect(task!.RequiresCompatibilities).toEqual(['FARGATE']);
  // The same check and ports as the image's own HEALTHCHECK and ENV.
  const env = Object.fromEntries((container!.Environment as { Name: string; Value: string }[]).map((e) => [e.Name, e.Value]));
  expect(env.EMRFLOW_WORKER_HEALTH_PORT).toBe(envOf(runtime).EMRFLOW_WORKER_HEALTH_PORT);
  const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args;
  const command = (container!.HealthCheck as { Command: string[] }).Command;
  expect(healthcheck).toContain(JSON.stringify(command.slice(1)).slice(1, -1).replace(/","/g, '", "'));
});

test('the worker reads its settings from the environment and the Temporal API key from Secrets Manager, never from a file or the template', () => {
  const [task] = ofType('AWS::ECS::TaskDefinition');
  const [container] = task!.ContainerDefinitions as Record<string, unknown>[];
  const env = Object.fromEntries((container!.Environment as { Name: string; Value: string }[]).map((e) => [e.Name, e.Value]));
  expect(env).toMatchObject({
    EMRFLOW_CONFIG: '', EMRFLOW_CLUSTER_PROVIDER: 'emr', EMRFLOW_AWS_REGION: 'us-west-2', EMRFLOW_LOG_FORMAT: 'json',
    EMRFLOW_TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', EMRFLOW_TEMPORAL_NAMESPACE: 'my-ns.a1b2c', EMRFLOW_TEMPORAL_DEPLOYMENT: 'prod',
    EMRFLOW_TEMPORAL_TLS: 'true', EMRFLOW_S3_CODE_URI: 's3://example-emrflow-prod/emrflow/code',
  });
  expect(Object.keys(env).filter((k) => /API_KEY|SECRET|WEBHOOK/.test(k))).toEqual([]);
  const secrets = flatten(container!.Secrets) as { Name: string; ValueFrom: string }[];
  expect(secrets).toEqual([{ Name: 'EMRFLOW_TEMPORAL_API_KEY', ValueFrom: expect.stringMatching(/^arn:aws:secretsmanager:us-west-2:\$\{AWS::AccountId\}:secret:emrflow\/prod\/temporal-api-key$/) }]);
});

test('a deploy starts the new workers before stopping the old ones, and rolls back a release that never gets healthy', () => {
  s.template.hasResourceProperties('AWS::ECS::Service', {
    DesiredCount: 2, LaunchType: 'FARGATE',
    DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
    NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED', Subnets: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'] }) },
  });
  // Outbound only: nothing reaches the worker.
  const [group] = ofType('AWS::EC2::SecurityGroup');
  expect(group!.SecurityGroupIngress).toBeUndefined();
});

test('cdk-nag\'s AwsSolutions rules pass, every accepted finding carrying its reason', () => {
  expect(s.nagViolations).toEqual([]);
  const on = (prefix: string) => s.acknowledged.filter((a) => a.resource.startsWith(prefix)).map((a) => a.id).sort();
  // Only these, each where it belongs: the worker policy's wildcards, one per resource pattern...
  expect(on('WorkerWorkerRole')).toEqual([...workerWildcardAcknowledgements(s.ctx.config).keys()].sort());
  expect(on('WorkerWorkerRole').length).toBe(9);
  // ...the two AWS managed EMR policies, and the task's environment variables (also on its execution role).
  expect(on('SparkServiceRole')).toEqual(['AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]']);
  expect(on('SparkEc2Role')).toEqual(['AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role]']);
  expect(new Set(s.acknowledged.map((a) => a.id))).toEqual(new Set([...on('WorkerWorkerRole'), ...on('SparkServiceRole'), ...on('SparkEc2Role'), 'AwsSolutions-ECS2']));
  for (const a of s.acknowledged) expect(a.reason.length, `${a.resource} ${a.id}`).toBeGreaterThan(40);
  // Each wildcard names the statements it comes from.
  for (const a of s.acknowledged.filter((x) => x.id.startsWith('AwsSolutions-IAM5'))) expect(a.reason).toMatch(new RegExp(`^(${Object.keys(WILDCARD_REASONS).join('|')}): `));
});

test('cfn-lint passes on the synthesized template', () => {
  const out = execFileSync(venvBin('cfn-lint'), ['--', s.templateFile], { encoding: 'utf8', timeout: 120_000 });
  expect(out).toBe('');
});
