// Issue #26: the CDK app with provider = emr-serverless (the example context otherwise): the
// execution role and application `aws bootstrap` creates for that provider, no EMR cluster
// roles, and the same checks (cdk-nag, cfn-lint) pass. One synthesis for the file.
import { execFileSync } from 'node:child_process';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, test } from 'vitest';
import { jobAccessPolicy } from '../../infra/aws/serverless';
import { serverlessTargets } from '../../activities/preflight/serverless-checks';
import { venvBin } from '../../infra/paths';
import { exampleContext, synthesize, type Synthesized } from '../support/cdk-synth';

let s: Synthesized;

/** `aws bootstrap`'s job-access policy as CloudFormation writes it (a one-action list as a string). */
function jobAccess(): unknown {
  const doc = JSON.parse(jobAccessPolicy(serverlessTargets(s.ctx.config).buckets)) as { Statement: { Action: string[] }[] };
  return { ...doc, Statement: doc.Statement.map((st) => ({ ...st, Action: st.Action.length === 1 ? st.Action[0] : st.Action })) };
}
beforeAll(() => {
  const settings = exampleContext()['emrflow:settings'] as Record<string, string>;
  s = synthesize({
    'emrflow:provider': 'emr-serverless',
    'emrflow:settings': { ...settings, 'emr_serverless.execution_role_arn': 'arn:aws:iam::123456789012:role/emrflow-serverless-job', 'emr_serverless.max_vcpu': '64' },
  });
}, 120_000);

test('the job runs\' execution role and emrflow\'s application are created as `aws bootstrap` creates them, and no EMR cluster roles', () => {
  s.template.hasResourceProperties('AWS::IAM::Role', {
    RoleName: 'emrflow-serverless-job',
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'emr-serverless.amazonaws.com' } })] },
    Policies: [{ PolicyName: 'emrflow-job-access', PolicyDocument: jobAccess() }],
  });
  s.template.hasResourceProperties('AWS::EMRServerless::Application', {
    Name: 'emrflow', Type: 'SPARK', ReleaseLabel: 'emr-7.13.0',
    AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
    MaximumCapacity: { Cpu: '64 vCPU', Memory: '128 GB', Disk: '1000 GB' },
    // The worker finds its application by these tags (the deployment is the context's).
    Tags: Match.arrayWith([{ Key: 'emrflow:deployment', Value: 'prod' }, { Key: 'emrflow:managed', Value: 'true' }]),
  });
  s.template.resourceCountIs('AWS::IAM::InstanceProfile', 0);
  const named = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties?.RoleName).filter(Boolean);
  expect(named).toEqual(['emrflow-serverless-job']);
  s.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'EMRFLOW_CLUSTER_PROVIDER', Value: 'emr-serverless' }]) })],
  });
});

test('cdk-nag\'s AwsSolutions rules and cfn-lint pass for the serverless stack too', () => {
  expect(s.nagViolations).toEqual([]);
  // cdk-nag ran: the worker role's accepted wildcards are recorded; no EMR managed policy here.
  expect(s.acknowledged.some((a) => a.id.startsWith('AwsSolutions-IAM5'))).toBe(true);
  expect(s.acknowledged.filter((a) => a.id.startsWith('AwsSolutions-IAM4'))).toEqual([]);
  expect(execFileSync(venvBin('cfn-lint'), ['--', s.templateFile], { encoding: 'utf8', timeout: 120_000 })).toBe('');
});
