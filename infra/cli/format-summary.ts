// A run's summary as a person reads it in a terminal (the web UI shows the full JSON).
import type { SongsEtlSummary } from '../../workflows/shared';

export function formatSummary(s: SongsEtlSummary): string {
  const read = s.input.song_records + s.input.log_records;
  const rejected = Object.entries(s.rejected.by_reason).map(([why, n]) => `${why} ${n}`).join(', ');
  return [
    `run date ${s.runDate} · mode ${s.mode} · provider ${s.provider}`,
    `cluster ${s.clusterId} · step ${s.stepId} · cluster billed ${s.clusterBilledSeconds === null ? 'unknown' : `${Math.round(s.clusterBilledSeconds)} s`}`,
    `stages: ${s.stages.map((t) => `${t.stage} ${(t.seconds ?? 0).toFixed(1)} s`).join(', ')}`,
    `read: ${s.input.song_files} song files, ${s.input.log_files} log files, ${read} records`,
    `rejected: ${s.rejected.total} of ${read}${rejected ? ` (${rejected})` : ''}`,
    `rows: ${Object.entries(s.rows).map(([table, n]) => `${table} ${n}`).join(', ')}`,
    `output: ${s.output}`,
  ].join('\n');
}
