// The preflight a run starts with: checks what the configured provider needs before any
// cluster is paid for. A failed check fails the run (PreflightFailed, with the fixes); checks
// that failed only because AWS did not answer make the activity retry instead.
import { ApplicationFailure } from '@temporalio/common';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightResult } from '../../workflows/shared';
import { emrChecks, type AwsClients } from './emr-checks';
import { serverlessChecks } from './serverless-checks';
import { emrServerlessClient } from '../aws-clients';
import { parseS3Uri } from '../s3-uri';
import { s3InputChecks, type RunInput } from './input-check';
import { localChecks } from './local-checks';
import { failedChecks, formatCheck, isTransientFailure, preflightFailed } from './result';

export { emrChecks, type AwsClients } from './emr-checks';
export { serverlessChecks } from './serverless-checks';
export { assertPreflight, failedChecks, formatCheck, preflightFailed } from './result';

export interface PreflightDeps {
  /** Built only for the emr provider. */
  awsClients: () => AwsClients;
  sparkSubmit: string;
}

/** With `run`, the EMR checks also look for the run's input (the month's logs, or all of it). */
export async function checkProvider(config: EmrflowConfig, deps: PreflightDeps, run?: RunInput): Promise<PreflightResult> {
  const provider = config.cluster.provider;
  if (provider === 'local') return { provider, checks: await localChecks(config, { sparkSubmit: deps.sparkSubmit }) };
  const clients = deps.awsClients();
  const checks = provider === 'emr' ? await emrChecks(config, clients) : await serverlessChecks(config, { ...clients, emrServerless: clients.emrServerless ?? emrServerlessClient(config.aws) });
  // Without credentials or the input bucket the input cannot be looked at: that failure is said already.
  const inputBucketOk = checks.find((c) => c.name === `bucket s3://${parseS3Uri(config.datalake.input_data).bucket}`)?.ok;
  if (run && inputBucketOk) checks.push(...await s3InputChecks(clients.s3, config.datalake.input_data, run));
  return { provider, checks };
}

/** The activity: the result when all is well; otherwise a retryable error or PreflightFailed. */
export async function preflight(config: EmrflowConfig, deps: PreflightDeps, run?: RunInput): Promise<PreflightResult> {
  const result = await checkProvider(config, deps, run);
  const failed = failedChecks(result);
  if (failed.length === 0) return result;
  if (failed.every(isTransientFailure)) {
    throw ApplicationFailure.retryable(`preflight could not reach AWS:\n${failed.map(formatCheck).join('\n')}`, 'PreflightUnavailable');
  }
  throw preflightFailed(result);
}
