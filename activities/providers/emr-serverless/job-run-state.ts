// EMR Serverless job-run states as the workflows' step states, and the usage the cost estimate
// reads from a run's job runs. Pure.
import type { JobRun, JobRunState } from '@aws-sdk/client-emr-serverless';
import type { ResourceUsage } from '../../cost/usage';
import type { StepState } from '../../../workflows/shared';

/** States in which a job run may still use (and bill) capacity: cancel these. */
export const LIVE_JOB_RUN_STATES: JobRunState[] = ['SUBMITTED', 'PENDING', 'SCHEDULED', 'QUEUED', 'RUNNING', 'CANCELLING'];

const ENDED = new Set<string>(['SUCCESS', 'FAILED', 'CANCELLED']);
export const isEnded = (state: string | undefined): boolean => ENDED.has(state ?? '');

/** SUBMITTED/PENDING/SCHEDULED/QUEUED wait for capacity: to a workflow they are all PENDING. */
export function stepStateOf(state: string | undefined): StepState {
  switch (state) {
    case 'RUNNING': return 'RUNNING';
    case 'SUCCESS': return 'COMPLETED';
    case 'FAILED': return 'FAILED';
    case 'CANCELLING': return 'CANCEL_PENDING';
    case 'CANCELLED': return 'CANCELLED';
    default: return 'PENDING';
  }
}

/**
 * The sum over the run's job runs: AWS's billed figures for ended ones, the running total
 * (totalResourceUtilization) for live ones. `final` once every job run has ended.
 */
export function usageOf(jobRuns: JobRun[]): Extract<ResourceUsage, { kind: 'emr-serverless' }> {
  const out = { kind: 'emr-serverless' as const, vCPUHour: 0, memoryGBHour: 0, storageGBHour: 0, totalExecutionDurationSeconds: 0, jobRuns: jobRuns.length, final: true };
  for (const j of jobRuns) {
    const ended = isEnded(j.state);
    const u = (ended ? j.billedResourceUtilization : undefined) ?? j.totalResourceUtilization ?? {};
    out.vCPUHour += u.vCPUHour ?? 0;
    out.memoryGBHour += u.memoryGBHour ?? 0;
    out.storageGBHour += u.storageGBHour ?? 0;
    out.totalExecutionDurationSeconds += j.totalExecutionDurationSeconds ?? 0;
    if (!ended) out.final = false;
  }
  return out;
}
