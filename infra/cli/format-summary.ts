// A run's summary as a person reads it in a terminal (the web UI shows the full JSON).
import { usdText, type RunCost } from '../../activities/cost/run-cost';
import type { PipelineSummary, TaskStatus } from '../../workflows/pipeline-types';

/** "cost: $0.05 estimated at the default us-east-1 prices (3 × m5.xlarge for 4.2 min at $0.192 + EMR $0.048 per instance-hour)". */
export function costLine(cost: RunCost): string {
  const prices = cost.pricesFrom === 'defaults' ? 'the default us-east-1 prices' : 'the prices in dl.cfg [cost]';
  return `cost: ${usdText(cost.estimatedUsd)} estimated at ${prices} (${cost.basis})`;
}

const seconds = (from?: string, to?: string): string =>
  (from && to ? `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} s` : '-');

function taskLine(t: TaskStatus): string {
  const step = t.stepId ? `, step ${t.stepId}${t.attempts > 1 ? ` (attempt ${t.attempts})` : ''} ran ${t.stepStartedAt ?? '?'} → ${t.stepEndedAt ?? '?'}` : '';
  return `  ${t.id} [${t.kind}] ${t.state} in ${seconds(t.startedAt, t.endedAt)}${step}${t.reason && t.state !== 'succeeded' ? ` (${t.reason})` : ''}`;
}

export function formatSummary(s: PipelineSummary): string {
  const lines = [
    `pipeline ${s.pipeline} · run date ${s.runDate} · mode ${s.mode} · provider ${s.provider}`,
    `cluster ${s.clusterId ?? 'none'}${s.stepId ? ` · step ${s.stepId}` : ''} · cluster billed ${s.clusterBilledSeconds === null ? 'unknown' : `${Math.round(s.clusterBilledSeconds)} s`}`,
    `stages: ${s.stages.map((t) => `${t.task ? `${t.task}.` : ''}${t.stage} ${(t.seconds ?? 0).toFixed(1)} s`).join(', ')}`,
    'tasks:', ...s.tasks.map(taskLine),
  ];
  if (s.input && s.rejected && s.rows) {
    const read = s.input.song_records + s.input.log_records;
    const rejected = Object.entries(s.rejected.by_reason).map(([why, n]) => `${why} ${n}`).join(', ');
    lines.push(
      `read: ${s.input.song_files} song files, ${s.input.log_files} log files, ${read} records`,
      `rejected: ${s.rejected.total} of ${read}${rejected ? ` (${rejected})` : ''}`,
      `rows: ${Object.entries(s.rows).map(([table, n]) => `${table} ${n}`).join(', ')}`,
    );
  }
  if (s.cost) lines.push(costLine(s.cost));
  lines.push(`output: ${s.output}`);
  if (s.dependantsStarted.length) lines.push(`started after it: ${s.dependantsStarted.join(', ')}`);
  return lines.join('\n');
}
