// The Sparkify ETL: wait for the day's logs, build the star schema with one Spark step, audit it.
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
      args: ['--input', '{input}', '--output', '{output}', '--mode', '{mode}', '--run-date', '{runDate}', '--run-id', '{runId}'],
      report: true,
    },
    {
      id: 'audit',
      kind: 'check',
      dependsOn: ['etl'],
      description: 'reject share, non-empty tables, schema = the table contract, month shrink',
      check: (ctx) => auditProblems(ctx.reports.etl as AuditedReport, ctx),
    },
  ],
});
