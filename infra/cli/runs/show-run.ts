// `emrflow runs show ID`: one run as a person needs it: status, stages or tasks, cluster, step,
// rows, failure and its link. A running run answers the `status` query (its worker must be up);
// a closed one is read from its result or failure.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RunCost } from '../../../activities/cost/run-cost';
import type { EmrflowConfig } from '../../config';
import { costLine } from '../format-summary';
import { noSuchRun } from './no-such-run';
import { UsageError } from '../exit-codes';
import { failureText, runUrl } from '../follow-run';
import type { ClusterProvider, StepLinks } from '../../../activities/providers/cluster-provider';
import { rowOf, type RunRow } from './list-runs';

export interface RunDetail extends RunRow {
  url: string;
  /** The workflow's `status` query (running runs) or its result's stages (completed ones). */
  progress: Record<string, unknown> | null;
  rows: Record<string, unknown> | null;
  failure: string | null;
  /** A completed run's estimated cost (runs from before #15 have none). */
  cost: RunCost | null;
  /** The step's links, fetched now (a job run's dashboard URL expires): emr-serverless only. */
  links: StepLinks | null;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);

/** `provider`: asked for the step's links when it offers them (a failure to fetch them leaves them out). */
export async function showRun(client: Client, config: EmrflowConfig, workflowId: string, provider?: ClusterProvider): Promise<RunDetail> {
  const handle = client.workflow.getHandle(workflowId);
  let d;
  try {
    d = await handle.describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new UsageError(noSuchRun(workflowId, config.temporal.namespace));
    throw e;
  }
  const row = rowOf(d);
  const detail: RunDetail = { ...row, url: runUrl(config, workflowId, d.runId), progress: null, rows: null, failure: null, cost: null, links: null };
  if (d.status.name === 'RUNNING') {
    // Without a worker a query never answers: show what visibility knows instead of hanging.
    detail.progress = (await within(handle.query<Record<string, unknown>>('status'), 5_000)) ?? null;
  } else if (d.status.name === 'COMPLETED') {
    const result = (await handle.result()) as Record<string, unknown>;
    detail.progress = { stages: result.stages ?? null, tasks: result.tasks ?? null };
    detail.rows = (result.rows as Record<string, unknown> | undefined) ?? null;
    detail.cost = (result.cost as RunCost | undefined) ?? null;
    detail.clusterId ??= (result.clusterId as string | undefined) ?? null;
    detail.stepId ??= (result.stepId as string | undefined) ?? null;
  } else {
    detail.failure = await handle.result().then(() => null, (e: unknown) => failureText(e));
  }
  if (provider?.stepLinks && detail.clusterId && detail.stepId)
    detail.links = (await within(provider.stepLinks(detail.clusterId, detail.stepId), 15_000)) ?? null;
  return detail;
}

function progressLines(progress: Record<string, unknown> | null): string[] {
  if (!progress) return [];
  const lines: string[] = [];
  if (typeof progress.stage === 'string') lines.push(`stage:    ${progress.stage}`);
  const stages = progress.stages as { stage: string; task?: string; seconds?: number }[] | null | undefined;
  // A task's stages carry its id (etl.waitForStep), as in the summary: with several spark tasks
  // "waitForStep" alone does not say whose.
  if (Array.isArray(stages) && stages.length)
    lines.push(`stages:   ${stages.map((s) => `${s.task ? `${s.task}.` : ''}${s.stage}${s.seconds === undefined ? ' (running)' : ` ${s.seconds.toFixed(1)} s`}`).join(', ')}`);
  const tasks = progress.tasks as Record<string, { state?: string; status?: string }> | unknown[] | null | undefined;
  if (tasks && typeof tasks === 'object') {
    const entries = Array.isArray(tasks)
      ? tasks.map((t) => [String((t as { name?: string; id?: string }).name ?? (t as { id?: string }).id ?? '?'), t] as const)
      : Object.entries(tasks);
    // One line per task, with its kind and its step: every step of the run, not only the last.
    if (entries.length) lines.push('tasks:');
    for (const [name, t] of entries) {
      const task = t as { state?: string; status?: string; kind?: string; stepId?: string; attempts?: number };
      const step = task.stepId ? `, step ${task.stepId}${(task.attempts ?? 1) > 1 ? ` (attempt ${task.attempts})` : ''}` : '';
      lines.push(`  ${name}${task.kind ? ` [${task.kind}]` : ''} ${String(task.state ?? task.status ?? '')}${step}`.trimEnd());
    }
  }
  return lines;
}

export function formatRun(r: RunDetail): string {
  return [
    `run:      ${r.workflowId} (${r.runId})`,
    `status:   ${r.status}`,
    `pipeline: ${r.pipeline ?? '-'} · run date ${r.runDate ?? '-'}`,
    `started:  ${r.startTime}${r.closeTime ? ` · closed ${r.closeTime}` : ''}`,
    `cluster:  ${r.clusterId ?? '-'} · step ${r.stepId ?? '-'}`,
    ...progressLines(r.progress),
    ...(r.rows ? [`rows:     ${Object.entries(r.rows).map(([t, n]) => `${t} ${String(n)}`).join(', ')}`] : []),
    ...(r.cost ? [costLine(r.cost).replace(/^cost: /, 'cost:     ')] : []),
    ...(r.failure ? [`failure:  ${r.failure}`] : []),
    ...(r.links?.dashboardUrl ? [`spark ui: ${r.links.dashboardUrl} (valid for about an hour; run this again for a new one)`] : []),
    ...(r.links?.logLocation ? [`job logs: ${r.links.logLocation}`] : []),
    `link:     ${r.url}`,
  ].join('\n');
}
