// The two IAM identities an EMR cluster runs as, created the way `aws emr create-default-roles`
// does but with the v2 service policy: the service role EMR itself assumes, and the EC2 role
// (inside an instance profile of the same name) the cluster's nodes assume.
import {
  AddRoleToInstanceProfileCommand, AttachRolePolicyCommand, CreateInstanceProfileCommand, CreateRoleCommand,
  GetRoleCommand, ListAttachedRolePoliciesCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { callTimeout } from '../../activities/aws-clients';
import { awsProblem, type AwsProblem } from '../../activities/preflight/aws-problem';
import { probeInstanceProfile, probeRole } from '../../activities/preflight/probes';
import { MANAGED_TAG, type BootstrapAction } from './bootstrap-types';

export interface RoleSpec {
  name: string;
  /** The AWS service allowed to assume the role. */
  trusts: string;
  managedPolicyArn: string;
}

export const serviceRoleSpec = (name: string): RoleSpec => ({
  name, trusts: 'elasticmapreduce.amazonaws.com', managedPolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2',
});

export const ec2RoleSpec = (name: string): RoleSpec => ({
  name, trusts: 'ec2.amazonaws.com', managedPolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role',
});

const trustPolicy = (service: string): string => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

const policyName = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
const failed = (kind: BootstrapAction['kind'], name: string, problem: AwsProblem): BootstrapAction => ({
  kind, name, action: 'failed',
  detail: `${problem.message} — fix: run bootstrap with credentials that may manage IAM roles (iam:CreateRole, iam:AttachRolePolicy, iam:*InstanceProfile*)`,
});

/**
 * Creates the role when missing. A role bootstrap made earlier (tagged emrflow:managed) gets its
 * policy attached if a previous run stopped before that; anybody else's role is left alone.
 */
export async function ensureRole(iam: IAMClient, spec: RoleSpec, dryRun: boolean): Promise<BootstrapAction> {
  const base = { kind: 'role' as const, name: spec.name };
  const what = `trusts ${spec.trusts}, policy ${policyName(spec.managedPolicyArn)}`;
  try {
    const found = await probeRole(iam, spec.name);
    if (!found.found && found.problem.kind !== 'missing') return failed('role', spec.name, found.problem);
    if (!found.found) {
      if (dryRun) return { ...base, action: 'would create', detail: what };
      await iam.send(new CreateRoleCommand({
        RoleName: spec.name, AssumeRolePolicyDocument: trustPolicy(spec.trusts), Tags: [{ ...MANAGED_TAG }],
        Description: 'Created by emrflow aws bootstrap',
      }), callTimeout());
      await attach(iam, spec);
      return { ...base, action: 'created', detail: what };
    }
    if (!(await isManaged(iam, spec.name)) || (await hasPolicy(iam, spec))) return { ...base, action: 'exists', detail: `${found.value.arn} left as it is` };
    if (dryRun) return { ...base, action: 'would update', detail: `attach ${policyName(spec.managedPolicyArn)}` };
    await attach(iam, spec);
    return { ...base, action: 'updated', detail: `attached ${policyName(spec.managedPolicyArn)}` };
  } catch (e) {
    return failed('role', spec.name, awsProblem(e));
  }
}

/** The instance profile, holding the EC2 role of the same name (created first when missing). */
export async function ensureInstanceProfile(iam: IAMClient, name: string, dryRun: boolean): Promise<BootstrapAction[]> {
  const base = { kind: 'instance profile' as const, name };
  try {
    const found = await probeInstanceProfile(iam, name);
    if (!found.found && found.problem.kind !== 'missing') return [failed('instance profile', name, found.problem)];
    if (found.found && found.value.roles.length > 0) {
      return [{ ...base, action: 'exists', detail: `${found.value.arn} (role ${found.value.roles.join(', ')}) left as it is` }];
    }
    const role = await ensureRole(iam, ec2RoleSpec(name), dryRun);
    if (role.action === 'failed') return [role];
    if (dryRun) return [role, { ...base, action: found.found ? 'would update' : 'would create', detail: `holding role ${name}` }];
    if (!found.found) {
      await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: [{ ...MANAGED_TAG }] }), callTimeout());
    }
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }), callTimeout());
    return [role, { ...base, action: found.found ? 'updated' : 'created', detail: `holding role ${name}` }];
  } catch (e) {
    return [failed('instance profile', name, awsProblem(e))];
  }
}

async function attach(iam: IAMClient, spec: RoleSpec): Promise<void> {
  await iam.send(new AttachRolePolicyCommand({ RoleName: spec.name, PolicyArn: spec.managedPolicyArn }), callTimeout());
}

async function isManaged(iam: IAMClient, name: string): Promise<boolean> {
  const tags = (await iam.send(new GetRoleCommand({ RoleName: name }), callTimeout())).Role?.Tags ?? [];
  return tags.some((t) => t.Key === MANAGED_TAG.Key && t.Value === MANAGED_TAG.Value);
}

async function hasPolicy(iam: IAMClient, spec: RoleSpec): Promise<boolean> {
  const out = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: spec.name }), callTimeout());
  return (out.AttachedPolicies ?? []).some((p) => p.PolicyArn === spec.managedPolicyArn);
}
