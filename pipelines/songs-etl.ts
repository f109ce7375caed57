// The Sparkify ETL: wait for the day's logs, build the star schema into staging with one Spark
// step, audit what was staged, publish it (one recoverable step), then register it in the catalog.
import { SPARKIFY_TABLES } from './sparkify-tables';
import { auditProblems, type AuditedReport } from './checks/staged-run-audit';
import { definePipeline } from './define';

export default definePipeline({
  name: 'songs-etl',
  description: 'Song metadata and user-activity logs (JSON) become the Sparkify star schema (partitioned Parquet)',
  schedule: {},
  tasks: [
    {
      id: 'input',
      kind: 'waitForInput',
      // A full run reads whatever is there; a daily run needs its day's log file.
      path: { daily: '{input}/log_data/{runYear}/{runMonth}/{runDate}-events.json' },
    },
    {
      id: 'etl',
      kind: 'spark',
      dependsOn: ['input'],
      script: 'etl.py',
      args: ['--input', '{input}', '--output', '{output}', '--mode', '{mode}', '--run-date', '{runDate}', '--run-id', '{runId}', '--stage-only'],
      report: true,
    },
    {
      id: 'audit',
      kind: 'check',
      dependsOn: ['etl'],
      description: 'reject share, non-empty tables, schema = the table contract, month shrink',
      check: (ctx) => auditProblems(ctx.reports.etl as AuditedReport, ctx),
    },
    { id: 'publish', kind: 'publish', dependsOn: ['audit'] },
    { id: 'catalog', kind: 'catalog', dependsOn: ['publish'], tables: SPARKIFY_TABLES.map((t) => t.name) },
  ],
});
