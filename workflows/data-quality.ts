// The data-quality gate on a run report. Pure.
import { ApplicationFailure } from '@temporalio/common';
import type { RunReport } from './shared';

const MUST_HAVE_ROWS = ['songplays', 'users', 'time'] as const;

/** What is wrong with the report, one sentence each; empty when it passes. */
export function dataQualityProblems(report: RunReport, maxRejectedShare: number): string[] {
  const problems = MUST_HAVE_ROWS.filter((table) => report.rows[table] === 0).map((table) => `${table} wrote 0 rows`);
  const records = report.input.log_records + report.input.song_records;
  const share = records === 0 ? (report.rejected.total > 0 ? 1 : 0) : report.rejected.total / records;
  if (share > maxRejectedShare) {
    problems.push(`${report.rejected.total} of ${records} input records rejected (${(share * 100).toFixed(1)}% > ${(maxRejectedShare * 100).toFixed(1)}% allowed)`);
  }
  return problems;
}

/** Fails the run with non-retryable DataQualityFailed when the report has problems. */
export function assertDataQuality(report: RunReport, maxRejectedShare: number): void {
  const problems = dataQualityProblems(report, maxRejectedShare);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: 'DataQualityFailed',
      message: `data quality: ${problems.join('; ')}`,
      nonRetryable: true,
      details: [{ problems, rows: report.rows, rejected: report.rejected }],
    });
  }
}
