// [emr] subnet_ids and the additional security groups: each must exist in the region and carry
// the tag AmazonEMRServicePolicy_v2 requires before EMR may use it. One check line each, with
// the fix. Not being allowed to look (no ec2:Describe*) does not block a run: EMR says so itself.
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightCheck } from '../../workflows/shared';
import { callTimeout } from '../aws-clients';
import { awsProblem, isTransient } from './aws-problem';
import { transientFailure } from './result';

export const EMR_MANAGED_TAG = 'for-use-with-amazon-emr-managed-policies';

interface Need { kind: 'subnet' | 'security group'; id: string; uses: string[] }

export interface Ec2Target { region: string; ec2: EC2Client }

/** What the checks read of a subnet or a security group; undefined when EC2 lists none. */
interface Found { id?: string; vpcId?: string; availabilityZone?: string; tags: Tag[] }

async function describe(ec2: EC2Client, need: Need): Promise<Found | undefined> {
  if (need.kind === 'subnet') {
    const s = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [need.id] }), callTimeout())).Subnets?.[0];
    return s && { id: s.SubnetId, vpcId: s.VpcId, availabilityZone: s.AvailabilityZone, tags: s.Tags ?? [] };
  }
  const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [need.id] }), callTimeout())).SecurityGroups?.[0];
  return g && { id: g.GroupId, vpcId: g.VpcId, tags: g.Tags ?? [] };
}

function needs(e: EmrflowConfig['emr']): Need[] {
  const out = new Map<string, Need>();
  const add = (kind: Need['kind'], id: string, use: string) => {
    const n = out.get(id) ?? { kind, id, uses: [] };
    n.uses.push(use);
    out.set(id, n);
  };
  for (const id of e.subnet_ids) add('subnet', id, 'emr.subnet_ids');
  for (const id of e.additional_master_security_groups) add('security group', id, 'emr.additional_master_security_groups');
  for (const id of e.additional_core_security_groups) add('security group', id, 'emr.additional_core_security_groups');
  return [...out.values()];
}

async function check(target: Ec2Target, need: Need): Promise<PreflightCheck> {
  const name = `${need.kind} ${need.id}`;
  const uses = need.uses.join(', ');
  const subnet = need.kind === 'subnet';
  let found: Found | undefined;
  try {
    found = await describe(target.ec2, need);
  } catch (e) {
    // EC2 names these InvalidSubnetID.NotFound, InvalidGroup.NotFound, InvalidGroupId.Malformed, …
    const code = (e as { name?: string }).name ?? '';
    if (/NotFound|Malformed/.test(code))
      return { name, ok: false, detail: `does not exist in ${target.region} (${uses})`, fix: `set ${need.uses[0]} to ${subnet ? 'a subnet' : 'a security group'} of ${target.region} (\`aws ec2 ${subnet ? 'describe-subnets' : 'describe-security-groups'} --region ${target.region}\`)` };
    const problem = awsProblem(e);
    if (problem.kind === 'forbidden' || code === 'UnauthorizedOperation')
      return { name, ok: true, detail: `could not verify: not allowed to call ec2:${subnet ? 'DescribeSubnets' : 'DescribeSecurityGroups'} (${problem.message})` };
    const failed = { name, ok: false, detail: `could not look it up: ${problem.message}`, fix: 'check the network and [aws] region / endpoint_url' };
    return isTransient(problem.kind) ? transientFailure(failed) : failed;
  }
  if (!found?.id)
    return { name, ok: false, detail: `does not exist in ${target.region} (${uses})`, fix: `set ${need.uses[0]} to one of ${target.region}` };
  const where = subnet ? `${found.vpcId ?? '?'}, ${found.availabilityZone ?? '?'}` : `${found.vpcId ?? '?'}`;
  if (!found.tags.some((t) => t.Key === EMR_MANAGED_TAG && t.Value === 'true')) {
    return {
      name, ok: false, detail: `in ${where}, but not tagged ${EMR_MANAGED_TAG}=true, which AmazonEMRServicePolicy_v2 requires (${uses})`,
      fix: `aws ec2 create-tags --region ${target.region} --resources ${need.id} --tags Key=${EMR_MANAGED_TAG},Value=true`,
    };
  }
  return { name, ok: true, detail: `in ${where}, tagged ${EMR_MANAGED_TAG}=true (${uses})` };
}

export function networkChecks(config: EmrflowConfig, target: Ec2Target): Promise<PreflightCheck[]> {
  return Promise.all(needs(config.emr).map((n) => check(target, n)));
}
