// The preflight a run starts with: checks what the configured provider needs before any
// cluster is paid for. A failed check fails the run (PreflightFailed, with the fixes); checks
// that failed only because AWS did not answer make the activity retry instead.
import { ApplicationFailure } from '@temporalio/common';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightResult } from '../../workflows/shared';
import { emrChecks, type AwsClients } from './emr-checks';
import { localChecks } from './local-checks';
import { failedChecks, formatCheck, isTransientFailure, preflightFailed } from './result';

export { emrChecks, type AwsClients } from './emr-checks';
export { assertPreflight, failedChecks, formatCheck, preflightFailed } from './result';

export interface PreflightDeps {
  /** Built only for the emr provider. */
  awsClients: () => AwsClients;
  sparkSubmit: string;
}

export async function checkProvider(config: EmrflowConfig, deps: PreflightDeps): Promise<PreflightResult> {
  const provider = config.cluster.provider;
  const checks = provider === 'emr'
    ? await emrChecks(config, deps.awsClients())
    : await localChecks(config, { sparkSubmit: deps.sparkSubmit });
  return { provider, checks };
}

/** The activity: the result when all is well; otherwise a retryable error or PreflightFailed. */
export async function preflight(config: EmrflowConfig, deps: PreflightDeps): Promise<PreflightResult> {
  const result = await checkProvider(config, deps);
  const failed = failedChecks(result);
  if (failed.length === 0) return result;
  if (failed.every(isTransientFailure)) {
    throw ApplicationFailure.retryable(`preflight could not reach AWS:\n${failed.map(formatCheck).join('\n')}`, 'PreflightUnavailable');
  }
  throw preflightFailed(result);
}
