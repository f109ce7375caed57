// The EMR provider's preflight: the config names what a run needs, the probes look for it.
// Every failed check carries a one-line fix.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EMRClient } from '@aws-sdk/client-emr';
import type { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightCheck } from '../../workflows/shared';
import { isTransient, type AwsProblem } from './aws-problem';
import { emrTargets, type BucketNeed, type EmrTargets } from './emr-targets';
import { probeBucket, probeCaller, probeInstanceProfile, probeRole } from './probes';
import { networkChecks } from './network-checks';
import { releaseLabelCheck } from './release-label-check';
import { transientFailure } from './result';

export interface AwsClients { s3: S3Client; iam: IAMClient; sts: STSClient; emr: EMRClient; ec2: EC2Client; emrServerless?: EMRServerlessClient }

export const BOOTSTRAP_FIX = 'run `emrflow aws bootstrap`';
const CREDENTIALS_FIX = 'configure AWS credentials (`aws configure`, AWS_PROFILE, or [aws] profile in dl.cfg)';

/** A failed check for a problem every resource shares (no credentials, no network). */
function failedOn(name: string, problem: AwsProblem, fix: string, region: string): PreflightCheck {
  if (isTransient(problem.kind)) {
    return transientFailure({ name, ok: false, detail: `AWS did not answer: ${problem.message}`, fix: `check the network and [aws] region (${region}) / endpoint_url` });
  }
  if (problem.kind === 'no-credentials') return { name, ok: false, detail: `no credentials found: ${problem.message}`, fix: CREDENTIALS_FIX };
  if (problem.kind === 'bad-credentials') return { name, ok: false, detail: `the credentials were refused: ${problem.message}`, fix: CREDENTIALS_FIX };
  return { name, ok: false, detail: problem.message, fix };
}

/** The checks emr and emr-serverless share: config problems, credentials, buckets. `caller` is unset when the credentials failed. */
export async function emrChecksParts(t: EmrTargets, clients: AwsClients): Promise<{ caller?: string; checks: PreflightCheck[] }> {
  const caller = await probeCaller(clients.sts);
  if (!caller.found) {
    // Without working credentials every other look-up fails the same way: say so once.
    return { checks: [...t.configProblems, failedOn('credentials', caller.problem, CREDENTIALS_FIX, t.region)] };
  }
  const buckets = await Promise.all(t.buckets.map((b) => bucketCheck(clients.s3, b, t.region, caller.value)));
  return { caller: caller.value, checks: [...t.configProblems, { name: 'credentials', ok: true, detail: caller.value }, ...buckets] };
}

export async function emrChecks(config: EmrflowConfig, clients: AwsClients): Promise<PreflightCheck[]> {
  const t = emrTargets(config);
  const caller = await probeCaller(clients.sts);
  if (!caller.found) {
    // Without working credentials every other look-up fails the same way: say so once.
    return [...t.configProblems, failedOn('credentials', caller.problem, CREDENTIALS_FIX, t.region)];
  }
  const rest = await Promise.all([
    ...t.buckets.map((b) => bucketCheck(clients.s3, b, t.region, caller.value)),
    serviceRoleCheck(clients.iam, t.serviceRole, t.region),
    instanceProfileCheck(clients.iam, t.instanceProfile, t.region),
    releaseLabelCheck(clients.emr, t.releaseLabel, t.region),
  ]);
  // Only when [emr] names subnets or security groups: EMR's default placement needs no look-up.
  rest.push(...await networkChecks(config, { region: t.region, ec2: clients.ec2 }));
  return [...t.configProblems, { name: 'credentials', ok: true, detail: caller.value }, ...rest];
}

async function bucketCheck(s3: S3Client, need: BucketNeed, region: string, caller: string): Promise<PreflightCheck> {
  const name = `bucket s3://${need.bucket}`;
  const uses = need.uses.join(', ');
  const found = await probeBucket(s3, need);
  if (found.found) return { name, ok: true, detail: `reachable (${uses})` };
  const { problem } = found;
  switch (problem.kind) {
    case 'missing':
      return { name, ok: false, detail: `does not exist (${uses})`, fix: `${BOOTSTRAP_FIX}, or \`aws s3 mb s3://${need.bucket} --region ${region}\`` };
    case 'forbidden':
      return {
        name, ok: false, detail: `exists but ${caller} may not list s3://${need.bucket}/${need.prefix ? `${need.prefix}/` : ''} (${problem.message})`,
        fix: `grant s3:ListBucket on arn:aws:s3:::${need.bucket} (see infra/aws/worker-policy.json), or use a bucket this account owns`,
      };
    case 'other-region':
      return { name, ok: false, detail: `is in another region than ${region} (${problem.message})`, fix: `set [aws] region to the bucket's region, or use a bucket in ${region}` };
    default:
      return failedOn(name, problem, `check s3://${need.bucket} with \`aws s3 ls s3://${need.bucket}\``, region);
  }
}

/** IAM reads the worker may not be allowed do not block a run: EMR rejects a missing role itself. */
function unverifiable(name: string, problem: AwsProblem, region: string, action: string): PreflightCheck {
  if (problem.kind === 'forbidden') return { name, ok: true, detail: `could not verify: not allowed to ${action} (${problem.message})` };
  return failedOn(name, problem, BOOTSTRAP_FIX, region);
}

async function serviceRoleCheck(iam: IAMClient, roleName: string, region: string): Promise<PreflightCheck> {
  const name = `service role ${roleName}`;
  const role = await probeRole(iam, roleName);
  if (role.found) return { name, ok: true, detail: role.value.arn };
  if (role.problem.kind === 'missing') return { name, ok: false, detail: 'does not exist', fix: `${BOOTSTRAP_FIX} (or \`aws emr create-default-roles\`)` };
  return unverifiable(name, role.problem, region, 'iam:GetRole');
}

async function instanceProfileCheck(iam: IAMClient, profileName: string, region: string): Promise<PreflightCheck> {
  const name = `instance profile ${profileName}`;
  const profile = await probeInstanceProfile(iam, profileName);
  if (profile.found) {
    if (profile.value.roles.length > 0) return { name, ok: true, detail: `${profile.value.arn} (role ${profile.value.roles.join(', ')})` };
    return {
      name, ok: false, detail: `${profile.value.arn} holds no role, so the cluster's nodes would have no permissions`,
      fix: `${BOOTSTRAP_FIX} (or \`aws iam add-role-to-instance-profile --instance-profile-name ${profileName} --role-name ${profileName}\`)`,
    };
  }
  if (profile.problem.kind === 'missing') return { name, ok: false, detail: 'does not exist', fix: `${BOOTSTRAP_FIX} (or \`aws emr create-default-roles\`)` };
  return unverifiable(name, profile.problem, region, 'iam:GetInstanceProfile');
}
