// How a preflight's outcome is told: one line per check, and the failure a run ends with.
import { ApplicationFailure } from '@temporalio/common';
import type { PreflightCheck, PreflightResult } from '../../workflows/shared';

/** "ok   credentials  arn:…" or "FAIL bucket s3://x  does not exist — fix: …" */
export function formatCheck(check: PreflightCheck): string {
  const fix = !check.ok && check.fix ? ` — fix: ${check.fix}` : '';
  return `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}  ${check.detail}${fix}`;
}

export const failedChecks = (result: PreflightResult): PreflightCheck[] => result.checks.filter((c) => !c.ok);

/** Non-retryable: a missing bucket or role stays missing until somebody creates it. */
export function preflightFailed(result: PreflightResult): ApplicationFailure {
  const failed = failedChecks(result);
  return ApplicationFailure.create({
    type: 'PreflightFailed',
    nonRetryable: true,
    message: `preflight (${result.provider} provider): ${failed.length} of ${result.checks.length} checks failed; no cluster was created\n`
      + failed.map(formatCheck).join('\n'),
    details: [{ provider: result.provider, failed }],
  });
}

/** The result when every check passed; otherwise throws PreflightFailed. */
export function assertPreflight(result: PreflightResult): PreflightResult {
  if (failedChecks(result).length > 0) throw preflightFailed(result);
  return result;
}

// Checks that failed because AWS could not be reached: the run retries the preflight for these
// instead of failing. Kept beside the check objects so the wire format stays the contract's.
const transient = new WeakSet<PreflightCheck>();
export function transientFailure(check: PreflightCheck): PreflightCheck {
  transient.add(check);
  return check;
}
export const isTransientFailure = (check: PreflightCheck): boolean => transient.has(check);
