// The run report a simulated step "writes" (no Spark): enough rows to pass the data-quality gate.
import type { RunReport } from '../../workflows/shared';

export function fakeReport(runId: string, outputUri: string): RunReport {
  const now = new Date().toISOString();
  return {
    run_id: runId, mode: 'full', run_date: null, input_uri: 'simulated', output_uri: outputUri,
    input: { song_files: 1, log_files: 1, song_records: 1, log_records: 1 },
    rejected: { total: 0, by_reason: {} },
    rows: { songplays: 1, users: 1, songs: 1, artists: 1, time: 1 },
    timings_s: { total: 0 }, started_at: now, finished_at: now,
  };
}
