// Reports over the star schema, after each songs-etl run for the same date: two reports in
// parallel on one cluster (fan-out), then a summary built from both (fan-in).
import { definePipeline } from './define';

const run = ['--output', '{output}', '--run-date', '{runDate}', '--mode', '{mode}'];

export default definePipeline({
  name: 'sparkify-reports',
  description: 'Daily plays by level and top songs, then a daily summary from both (Parquet under <output>/reports/)',
  after: ['songs-etl'],
  params: { top: '10' },
  tasks: [
    { id: 'plays-by-level', kind: 'spark', script: 'reports/plays_by_level.py', args: run },
    { id: 'top-songs', kind: 'spark', script: 'reports/top_songs.py', args: [...run, '--top', '{top}'] },
    { id: 'daily-summary', kind: 'spark', dependsOn: ['plays-by-level', 'top-songs'], script: 'reports/daily_summary.py', args: run },
  ],
});
