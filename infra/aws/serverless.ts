// What `emrflow aws bootstrap` creates for [cluster] provider = emr-serverless besides the
// buckets: the execution role job runs assume (trusting EMR Serverless, reading and writing the
// configured buckets) and emrflow's application (unless [emr_serverless] application_id names one).
import { CreateApplicationCommand, type EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { callTimeout } from '../../activities/aws-clients';
import { awsProblem } from '../../activities/preflight/aws-problem';
import type { BucketNeed } from '../../activities/preflight/emr-targets';
import { probeRole } from '../../activities/preflight/probes';
import { roleNameOf, SERVERLESS_TRUST } from '../../activities/preflight/serverless-checks';
import { applicationSpec, findManagedApplication, getApplication } from '../../activities/providers/emr-serverless/application';
import { deploymentId, type EmrflowConfig } from '../config';
import { MANAGED_TAG, type BootstrapAction } from './bootstrap-types';

export const JOB_ACCESS_POLICY = 'emrflow-job-access';

/** The job's own access: read and write objects in the configured buckets, list them. */
export function jobAccessPolicy(buckets: BucketNeed[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: buckets.map((b) => `arn:aws:s3:::${b.bucket}/*`) },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: buckets.map((b) => `arn:aws:s3:::${b.bucket}`) },
    ],
  });
}

export async function ensureExecutionRole(iam: IAMClient, arn: string, buckets: BucketNeed[], dryRun: boolean): Promise<BootstrapAction> {
  const name = roleNameOf(arn);
  const base = { kind: 'execution role' as const, name };
  const what = `trusts ${SERVERLESS_TRUST}, policy ${JOB_ACCESS_POLICY} (objects in ${buckets.map((b) => `s3://${b.bucket}`).join(', ')})`;
  try {
    const found = await probeRole(iam, name);
    if (found.found) {
      const trusted = !found.value.trustPolicy || found.value.trustPolicy.includes(SERVERLESS_TRUST);
      return trusted ? { ...base, action: 'exists', detail: `${found.value.arn} left as it is` }
        : { ...base, action: 'failed', detail: `${found.value.arn} exists but does not trust ${SERVERLESS_TRUST} — fix: add it to the role's trust policy, or set [emr_serverless] execution_role_arn to another role` };
    }
    if (found.problem.kind !== 'missing') return { ...base, action: 'failed', detail: `${found.problem.message} — fix: run bootstrap with credentials that may manage IAM roles` };
    if (dryRun) return { ...base, action: 'would create', detail: what };
    await iam.send(new CreateRoleCommand({
      RoleName: name, Description: 'EMR Serverless job runs of emrflow (created by emrflow aws bootstrap)', Tags: [{ ...MANAGED_TAG }],
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: SERVERLESS_TRUST }, Action: 'sts:AssumeRole' }] }),
    }), callTimeout());
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: JOB_ACCESS_POLICY, PolicyDocument: jobAccessPolicy(buckets) }), callTimeout());
    return { ...base, action: 'created', detail: what };
  } catch (e) {
    return { ...base, action: 'failed', detail: `${awsProblem(e).message} — fix: run bootstrap with credentials that may manage IAM roles (iam:CreateRole, iam:PutRolePolicy)` };
  }
}

export async function ensureApplication(client: EMRServerlessClient, config: EmrflowConfig, dryRun: boolean): Promise<BootstrapAction> {
  const s = config.emr_serverless;
  try {
    if (s.application_id) {
      const app = await getApplication(client, s.application_id);
      if (app && app.state !== 'TERMINATED') return { kind: 'application', name: s.application_id, action: 'exists', detail: `${app.name ?? ''} (Spark ${app.releaseLabel}, ${app.state}) left as it is` };
      return { kind: 'application', name: s.application_id, action: 'failed', detail: `${app ? 'is terminated' : 'does not exist'} — fix: unset [emr_serverless] application_id to let emrflow create one, or name a live application` };
    }
    const deployment = deploymentId(config.temporal);
    const found = await findManagedApplication(client, s, deployment);
    if (found) return { kind: 'application', name: s.application_name, action: 'exists', detail: `${found.applicationId} (Spark ${found.releaseLabel}, ${found.state}) left as it is` };
    const what = `${s.release_label} ${s.architecture}, no pre-initialized capacity, auto-start, auto-stop after ${s.auto_stop_idle_minutes} min, at most ${s.max_vcpu} vCPU / ${s.max_memory_gb} GB`;
    if (dryRun) return { kind: 'application', name: s.application_name, action: 'would create', detail: what };
    const created = await client.send(new CreateApplicationCommand(applicationSpec(s, deployment, config.emr.extra_tags)), callTimeout());
    return { kind: 'application', name: s.application_name, action: 'created', detail: `${created.applicationId}: ${what}` };
  } catch (e) {
    return { kind: 'application', name: s.application_id ?? s.application_name, action: 'failed', detail: `${awsProblem(e).message} — fix: run bootstrap with credentials that may use EMR Serverless (emr-serverless:CreateApplication, TagResource)` };
  }
}
