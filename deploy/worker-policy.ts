// The worker's IAM policy for the stack: infra/aws/worker-policy.json (the one source, also what
// README tells people without CDK to use) with its ${…} placeholders filled from the settings.
// Account and region stay CloudFormation references, so one template serves any account.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aws } from 'aws-cdk-lib';
import type { EmrflowConfig } from '../infra/config';
import { repoRoot } from '../infra/paths';
import { roleNameOf } from '../activities/preflight/serverless-checks';
import { parseS3Uri } from '../activities/s3-uri';

export const WORKER_POLICY_FILE = join(repoRoot, 'infra', 'aws', 'worker-policy.json');

/** The execution role job runs assume: the configured one, or the one `aws bootstrap` creates. */
export const executionRoleName = (config: EmrflowConfig): string =>
  roleNameOf(config.emr_serverless.execution_role_arn ?? 'arn:aws:iam::000000000000:role/emrflow-serverless-job');

/** Every placeholder of the policy file and its value for these settings. */
export function policyValues(config: EmrflowConfig, account: string = Aws.ACCOUNT_ID, region: string = Aws.REGION): Record<string, string> {
  const s3 = (uri: string | undefined, setting: string) => {
    if (!uri) throw new Error(`${setting} is not set`);
    const { bucket, key } = parseS3Uri(uri);
    return { bucket, prefix: key.replace(/\/+$/, '') };
  };
  const code = s3(config.s3.code_uri, '[s3] code_uri');
  const logs = s3(config.s3.log_uri ?? config.emr_serverless.log_uri, '[s3] log_uri');
  const input = s3(config.datalake.input_data, '[datalake] input_data');
  const output = s3(config.datalake.output_data, '[datalake] output_data');
  return {
    AccountId: account, Region: region,
    ServiceRole: config.emr.service_role, InstanceProfile: config.emr.instance_profile, InstanceProfileRole: config.emr.instance_profile,
    ExecutionRole: executionRoleName(config),
    CodeBucket: code.bucket, CodePrefix: code.prefix, LogBucket: logs.bucket, LogPrefix: logs.prefix,
    InputBucket: input.bucket, InputPrefix: input.prefix, OutputBucket: output.bucket, OutputPrefix: output.prefix,
    GlueDatabase: config.catalog.database,
  };
}

/** The policy file's JSON with every ${Name} replaced; an unknown placeholder throws. */
export function renderWorkerPolicy(values: Record<string, string>): { Version: string; Statement: Record<string, unknown>[] } {
  const text = readFileSync(WORKER_POLICY_FILE, 'utf8').replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`${WORKER_POLICY_FILE}: no value for \${${name}}`);
    return values[name]!;
  });
  return JSON.parse(text) as { Version: string; Statement: Record<string, unknown>[] };
}
