// Why each cdk-nag AwsSolutions finding that remains is accepted. Every acknowledgement names
// the exact finding (rule and resource), so a new wildcard or managed policy is a new finding
// that fails synth until somebody writes down why it is fine.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EmrflowConfig } from '../infra/config';
import { policyValues, renderWorkerPolicy } from './worker-policy';

/**
 * Why the worker policy's statements (infra/aws/worker-policy.json) name resources with a
 * wildcard, by Sid. README "Running against real AWS" explains the policy in full.
 */
export const WILDCARD_REASONS: Record<string, string> = {
  CreateOnlyClustersTaggedAsThisDeploymentsOnCreate: 'RunJobFlow has no resource ARN before the cluster exists; the statement requires the emrflow:managed, deployment and workflow-id request tags',
  TagOnCreateWithTheSameTags: 'EMR authorizes the tags of RunJobFlow as AddTags on a cluster id not known yet; only with the same emrflow request tags, and a Deny stops retagging existing clusters',
  OperateOnlyManagedClusters: 'the worker operates on clusters it created, whose ids are not known in advance; limited to clusters tagged emrflow:managed=true',
  ListingHasNoResourceScope: 'ListClusters, ListReleaseLabels and ListApplications cannot be scoped to resources in IAM (read-only)',
  PreflightLooksUpTheConfiguredNetwork: 'ec2:DescribeSubnets and DescribeSecurityGroups cannot be scoped to resources in IAM (read-only, for the preflight)',
  StageCodeAndReadLogsAndReports: 'object keys under the configured code, log and report prefixes only (content-hashed code, one key per run)',
  PublishOnlyUnderTheOutput: 'publishing writes run-named objects under the configured output prefix only',
  ServerlessCreateOnlyApplicationsTaggedAsEmrflowOnCreate: 'an application id is not known before creation; requires the emrflow:managed and deployment request tags',
  ServerlessUseOnlyEmrflowTaggedApplications: 'limited to applications tagged emrflow:managed=true, whose ids are not known in advance',
  ServerlessStartOnlyJobRunsTaggedWithTheirRun: 'job run ids are not known before the run starts; requires the emrflow run tags',
  ServerlessOperateOnlyEmrflowJobRuns: 'limited to job runs tagged emrflow:managed=true',
  CatalogReadsTheDatabaseAndItsTables: 'tables of the one configured Glue database',
  CatalogRegistersTablesAndPartitionsInItsDatabaseOnly: 'tables of the one configured Glue database',
};

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** The IAM5 findings the worker role has, each with its statement's reason (cdk-nag's spelling of the resource). */
export function workerWildcardAcknowledgements(config: EmrflowConfig): Map<string, string> {
  const policy = renderWorkerPolicy(policyValues(config, '<AWS::AccountId>', '<AWS::Region>'));
  const found = new Map<string, string>();
  for (const s of policy.Statement.filter((x) => x.Effect === 'Allow')) {
    for (const resource of asList(s.Resource).filter((r) => r.includes('*'))) {
      const sid = String(s.Sid);
      const reason = WILDCARD_REASONS[sid];
      if (!reason) throw new Error(`infra/aws/worker-policy.json statement ${sid} has a wildcard resource and deploy/nag-suppressions.ts gives no reason for it`);
      const id = `AwsSolutions-IAM5[Resource::${resource}]`;
      found.set(id, found.has(id) ? `${found.get(id)}; ${sid}: ${reason}` : `${sid}: ${reason}`);
    }
  }
  return found;
}

export interface Acknowledged {
  workerRole: IConstruct;
  emrRoles: { role: IConstruct; policyArn: string }[];
  executionRole?: { role: IConstruct; buckets: string[] };
  task: IConstruct;
}

export function acknowledgeAcceptedFindings(config: EmrflowConfig, parts: Acknowledged): void {
  for (const [id, reason] of workerWildcardAcknowledgements(config)) Validations.of(parts.workerRole).acknowledge({ id, reason });
  for (const { role, policyArn } of parts.emrRoles) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::${policyArn}]`,
      reason: 'the EMR service and EC2 roles use the AWS managed policies AWS documents for EMR (what aws emr create-default-roles and emrflow aws bootstrap attach); AmazonEMRServicePolicy_v2 is itself scoped by the for-use-with-amazon-emr-managed-policies tag',
    });
  }
  for (const bucket of parts.executionRole?.buckets ?? []) {
    Validations.of(parts.executionRole!.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:s3:::${bucket}/*]`,
      reason: 'the Spark job reads its input and writes the lake, staging, reports and logs anywhere in the configured buckets (the job-access policy emrflow aws bootstrap gives the role, infra/aws/serverless.ts)',
    });
  }
  Validations.of(parts.task).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason: 'the environment holds only non-secret EMRFLOW_* settings, kept in the template on purpose so a change review sees them; secrets come from Secrets Manager',
  });
}
