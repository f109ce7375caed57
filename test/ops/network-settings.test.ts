// [emr] subnet_ids and additional security groups on moto: passed to RunJobFlow, and `aws check`
// has a line for each (exists in the region, tagged as AmazonEMRServicePolicy_v2 needs, or the fix).
import { tmpdir } from 'node:os';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ec2Client, emrClient, s3Client } from '../../activities/aws-clients';
import { EmrProvider } from '../../activities/providers/emr/emr-provider';
import { instancesSpec } from '../../activities/providers/emr/instances-spec';
import { loadConfig } from '../../infra/config';
import { emrflow } from '../aws/fixtures/aws-cli';
import { emrSettings, startMoto, type Moto } from '../support/moto';

let moto: Moto;
let ids: { tagged: string; untagged: string; sg: string };
beforeAll(async () => {
  moto = await startMoto();
  const { config } = loadConfig({ cwd: tmpdir(), env: emrSettings(moto.endpoint), path: undefined });
  const ec2 = ec2Client(config.aws);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: 'us-west-2a' }))).Subnet!.SubnetId!;
  ids = { tagged: await subnet('10.0.1.0/24'), untagged: await subnet('10.0.2.0/24'), sg: '' };
  ids.sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'emr-extra', Description: 'extra', VpcId: vpc }))).GroupId!;
  await ec2.send(new CreateTagsCommand({ Resources: [ids.tagged, ids.sg], Tags: [{ Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' }] }));
  const s3 = s3Client(config.aws);
  for (const Bucket of ['emrflow-code', 'emrflow-logs', 'emrflow-lake'])
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
}, 120_000);
afterAll(async () => moto?.stop());

test('aws check: a line per subnet and security group, with the tag fix or "does not exist"', async () => {
  const r = await emrflow(['aws', 'check', '--json'], {
    ...emrSettings(moto.endpoint),
    EMRFLOW_EMR_SUBNET_IDS: `${ids.tagged}, ${ids.untagged}, subnet-0000000000000dead`,
    EMRFLOW_EMR_ADDITIONAL_MASTER_SECURITY_GROUPS: ids.sg,
    EMRFLOW_EMR_ADDITIONAL_CORE_SECURITY_GROUPS: 'sg-0000000000000dead',
  });
  const checks = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }).checks;
  const net = Object.fromEntries(checks.filter((c) => /^(subnet|security group) /.test(c.name)).map((c) => [c.name, c]));
  expect(net[`subnet ${ids.tagged}`]).toMatchObject({ ok: true, detail: expect.stringMatching(/^in vpc-\w+, us-west-2a, tagged for-use-with-amazon-emr-managed-policies=true \(emr\.subnet_ids\)$/) });
  expect(net[`subnet ${ids.untagged}`]).toMatchObject({
    ok: false, detail: expect.stringContaining('not tagged for-use-with-amazon-emr-managed-policies=true, which AmazonEMRServicePolicy_v2 requires'),
    fix: `aws ec2 create-tags --region us-west-2 --resources ${ids.untagged} --tags Key=for-use-with-amazon-emr-managed-policies,Value=true`,
  });
  expect(net['subnet subnet-0000000000000dead']).toMatchObject({ ok: false, detail: 'does not exist in us-west-2 (emr.subnet_ids)' });
  expect(net[`security group ${ids.sg}`]).toMatchObject({ ok: true });
  expect(net['security group sg-0000000000000dead']).toMatchObject({ ok: false, detail: 'does not exist in us-west-2 (emr.additional_core_security_groups)' });
  expect(r.code).toBe(1);
}, 120_000);

test('RunJobFlow gets the subnet and the extra security groups; several subnets become instance fleets', async () => {
  const { config } = loadConfig({
    cwd: tmpdir(), path: undefined,
    env: { ...emrSettings(moto.endpoint), EMRFLOW_EMR_SUBNET_IDS: ids.tagged, EMRFLOW_EMR_ADDITIONAL_MASTER_SECURITY_GROUPS: ids.sg, EMRFLOW_EMR_ADDITIONAL_CORE_SECURITY_GROUPS: ids.sg },
  });
  const emr = emrClient(config.aws);
  const p = new EmrProvider({ emr, s3: s3Client(config.aws), config });
  const { clusterId } = await p.createCluster({ workflowId: `net-${Date.now()}`, runId: 'r1', pipeline: 'songs-etl' });
  const attrs = (await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }))).Cluster!.Ec2InstanceAttributes!;
  expect(attrs.Ec2SubnetId).toBe(ids.tagged);
  expect(attrs.AdditionalMasterSecurityGroups).toEqual([ids.sg]);
  expect(attrs.AdditionalSlaveSecurityGroups).toEqual([ids.sg]);
  await p.terminateCluster(clusterId);

  const fleets = instancesSpec({ ...config.emr, subnet_ids: [ids.tagged, ids.untagged] });
  expect(fleets.Ec2SubnetIds).toEqual([ids.tagged, ids.untagged]);
  expect(fleets.InstanceGroups).toBeUndefined();
  expect(fleets.InstanceFleets?.map((f) => [f.InstanceFleetType, f.TargetOnDemandCapacity])).toEqual([['MASTER', 1], ['CORE', 2]]);
});
