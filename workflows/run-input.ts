// Resolves and validates songsEtl's input. Pure: the caller passes the workflow's clock readings.
import { ApplicationFailure } from '@temporalio/common';
import type { EtlMode, SongsEtlInput } from './shared';

export interface ResolvedRun {
  runDate: string;
  mode: EtlMode;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDate = (t: Date): string => t.toISOString().slice(0, 10);

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidInput', message, nonRetryable: true });
}

export function isRealDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && utcDate(t) === s;
}

/**
 * runDate: the input's, else the day before the schedule's time (a daily run processes the
 * previous day, like Airflow's data interval), else the start time's UTC date.
 * mode: the input's, else daily when a date was given or scheduled, else full.
 */
export function resolveRun(input: unknown, clock: { scheduledAt?: Date; startedAt: Date }, workflowType = 'songsEtl'): ResolvedRun {
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    throw invalid(`${workflowType} input must be an object like {"runDate": "2018-11-01", "mode": "daily"}, got ${JSON.stringify(input)}`);
  }
  // null reads as "not given": the web UI's JSON editor produces it easily.
  const runDate = (input as SongsEtlInput | null)?.runDate ?? undefined;
  const mode = (input as SongsEtlInput | null)?.mode ?? undefined;
  if (runDate !== undefined && (typeof runDate !== 'string' || !isRealDate(runDate))) {
    throw invalid(`${workflowType} input.runDate must be a real date as YYYY-MM-DD, got ${JSON.stringify(runDate)}`);
  }
  if (mode !== undefined && mode !== 'full' && mode !== 'daily') {
    throw invalid(`${workflowType} input.mode must be "full" or "daily", got ${JSON.stringify(mode)}`);
  }
  if (runDate) return { runDate, mode: mode ?? 'daily' };
  if (clock.scheduledAt) return { runDate: utcDate(new Date(clock.scheduledAt.getTime() - DAY_MS)), mode: mode ?? 'daily' };
  return { runDate: utcDate(clock.startedAt), mode: mode ?? 'full' };
}

/** Names the run report: one per run, safe as a file name. */
export function reportIdFor(workflowId: string, runId: string): string {
  return `${workflowId}-${runId}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
