// The identities Spark runs as, with the names and policies `aws bootstrap` gives them
// (infra/aws/roles.ts and serverless.ts are the one source of both): for provider = emr the
// EMR service role and the EC2 role inside an instance profile of the same name; for
// emr-serverless the job runs' execution role and, unless [emr_serverless] application_id
// names one, emrflow's application.
import { CfnApplication } from 'aws-cdk-lib/aws-emrserverless';
import { CfnInstanceProfile, ManagedPolicy, PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EmrflowConfig } from '../infra/config';
import { deploymentId } from '../infra/config';
import { ec2RoleSpec, serviceRoleSpec, type RoleSpec } from '../infra/aws/roles';
import { JOB_ACCESS_POLICY, jobAccessPolicy } from '../infra/aws/serverless';
import { SERVERLESS_TRUST, serverlessTargets } from '../activities/preflight/serverless-checks';
import { applicationSpec } from '../activities/providers/emr-serverless/application';
import { executionRoleName } from './worker-policy';

const roleFrom = (scope: Construct, id: string, spec: RoleSpec) => new Role(scope, id, {
  roleName: spec.name, assumedBy: new ServicePrincipal(spec.trusts),
  managedPolicies: [ManagedPolicy.fromManagedPolicyArn(scope, `${id}Policy`, spec.managedPolicyArn)],
  description: 'emrflow (deploy/ CDK app; the same role emrflow aws bootstrap creates)',
});

export class EmrRoles extends Construct {
  /** The roles with AWS managed policies (cdk-nag IAM4, acknowledged in nag-suppressions.ts). */
  readonly managedPolicyRoles: { role: Role; policyArn: string }[] = [];
  /** The serverless execution role and the buckets its job-access policy opens (cdk-nag IAM5, acknowledged). */
  readonly executionRole?: { role: Role; buckets: string[] };

  constructor(scope: Construct, id: string, { config }: { config: EmrflowConfig }) {
    super(scope, id);
    if (config.cluster.provider === 'emr') {
      const [serviceSpec, ec2Spec] = [serviceRoleSpec(config.emr.service_role), ec2RoleSpec(config.emr.instance_profile)];
      const ec2 = roleFrom(this, 'Ec2Role', ec2Spec);
      this.managedPolicyRoles.push({ role: roleFrom(this, 'ServiceRole', serviceSpec), policyArn: serviceSpec.managedPolicyArn }, { role: ec2, policyArn: ec2Spec.managedPolicyArn });
      new CfnInstanceProfile(this, 'InstanceProfile', { instanceProfileName: config.emr.instance_profile, roles: [ec2.roleName] });
      return;
    }
    const buckets = serverlessTargets(config).buckets;
    const role = new Role(this, 'ExecutionRole', {
      roleName: executionRoleName(config), assumedBy: new ServicePrincipal(SERVERLESS_TRUST),
      description: 'EMR Serverless job runs of emrflow (deploy/ CDK app; the same role emrflow aws bootstrap creates)',
      inlinePolicies: { [JOB_ACCESS_POLICY]: PolicyDocument.fromJson(JSON.parse(jobAccessPolicy(buckets))) },
    });
    this.executionRole = { role, buckets: buckets.map((b) => b.bucket) };
    if (config.emr_serverless.application_id) return;
    const { clientToken: _, tags, ...spec } = applicationSpec(config.emr_serverless, deploymentId(config.temporal), config.emr.extra_tags);
    new CfnApplication(this, 'Application', { ...spec, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
  }
}
