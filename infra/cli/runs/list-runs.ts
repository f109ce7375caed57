// `emrflow runs list`: runs from Temporal's visibility store, filtered by emrflow's search
// attributes (Pipeline, RunDate) and the execution's status and start time.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { EMR_CLUSTER_ID, EMR_STEP_ID, PIPELINE_KEY, RUN_DATE } from '../../../workflows/search-attributes';
import { UsageError } from '../exit-codes';

/** --status values and the visibility query's ExecutionStatus names. */
export const STATUSES: Record<string, string> = {
  running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled',
  terminated: 'Terminated', timed_out: 'TimedOut', continued_as_new: 'ContinuedAsNew',
};

export interface RunFilter { pipeline?: string; status?: string; since?: string }

export interface RunRow {
  workflowId: string;
  runId: string;
  status: string;
  pipeline: string | null;
  runDate: string | null;
  clusterId: string | null;
  stepId: string | null;
  startTime: string;
  closeTime: string | null;
}

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** --since: a date (YYYY-MM-DD, UTC midnight) or a duration back from now (90m, 24h, 7d). */
export function parseSince(value: string, now = Date.now()): Date {
  const d = /^(\d+)([mhd])$/.exec(value);
  if (d) return new Date(now - Number(d[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[d[2] as 'm' | 'h' | 'd']);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return new Date(`${value}T00:00:00Z`);
  throw new UsageError(`--since ${value}: expected a date YYYY-MM-DD or a duration such as 24h or 7d`);
}

export function runsQuery(f: RunFilter, now = Date.now()): string {
  const parts = ['Pipeline IS NOT NULL'];
  if (f.pipeline) parts.push(`Pipeline = ${quote(f.pipeline)}`);
  if (f.status) {
    const s = STATUSES[f.status.toLowerCase()];
    if (!s) throw new UsageError(`--status ${f.status}: expected one of ${Object.keys(STATUSES).join(', ')}`);
    parts.push(`ExecutionStatus = ${quote(s)}`);
  }
  if (f.since) parts.push(`StartTime >= ${quote(parseSince(f.since, now).toISOString())}`);
  return parts.join(' AND ');
}

export function rowOf(e: Omit<WorkflowExecutionInfo, 'raw'>): RunRow {
  const a = e.typedSearchAttributes;
  return {
    workflowId: e.workflowId,
    runId: e.runId,
    status: e.status.name,
    pipeline: a.get(PIPELINE_KEY) ?? null,
    runDate: a.get(RUN_DATE) ?? null,
    clusterId: a.get(EMR_CLUSTER_ID) ?? null,
    stepId: a.get(EMR_STEP_ID) ?? null,
    startTime: e.startTime.toISOString(),
    closeTime: e.closeTime?.toISOString() ?? null,
  };
}

/** Newest first (the visibility store's order), at most `limit`. */
export async function listRuns(client: Client, filter: RunFilter, limit: number): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for await (const e of client.workflow.list({ query: runsQuery(filter) })) {
    rows.push(rowOf(e));
    if (rows.length >= limit) break;
  }
  return rows;
}

export function formatRows(rows: RunRow[]): string {
  if (rows.length === 0) return 'no runs match';
  const table = [['WORKFLOW ID', 'STATUS', 'PIPELINE', 'RUN DATE', 'STARTED (UTC)', 'CLUSTER'],
    ...rows.map((r) => [r.workflowId, r.status, r.pipeline ?? '-', r.runDate ?? '-', r.startTime.slice(0, 19).replace('T', ' '), r.clusterId ?? '-'])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
