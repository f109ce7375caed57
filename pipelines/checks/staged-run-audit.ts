// The audit of a staged Sparkify run (write-audit-publish): reject share, tables that must not
// be empty, the staged schema against the table contract, and a daily run's month not shrinking
// more than allowed unless forced. Pure: the worker runs it over the run report.
import type { CheckContext } from '../define';
import { SPARKIFY_TABLES } from '../sparkify-tables';

interface StagedTable {
  status?: 'written' | 'unchanged';
  rows?: number | null;
  schema?: [string, string][] | null;
}

/** The parts of etl.py's run report the audit reads (older reports lack tables and audit). */
export interface AuditedReport {
  input: { song_records: number; log_records: number };
  rejected: { total: number };
  rows: Record<string, number | 'unchanged'>;
  tables?: Record<string, StagedTable>;
  audit?: { month: string | null; month_songplays_before: number | null; month_songplays_after: number | null };
  staged_uri?: string;
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const columns = (cols: [string, string][]): string => cols.map(([n, t]) => `${n} ${t}`).join(', ');

export function auditProblems(report: AuditedReport, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const records = report.input.log_records + report.input.song_records;
  const share = records === 0 ? (report.rejected.total > 0 ? 1 : 0) : report.rejected.total / records;
  if (share > ctx.settings.maxRejectedShare)
    problems.push(`reject share: ${report.rejected.total} of ${records} input records rejected (${pct(share)} > ${pct(ctx.settings.maxRejectedShare)} allowed)`);
  for (const table of SPARKIFY_TABLES) {
    const staged = report.tables?.[table.name];
    const rows = staged?.status === 'unchanged' ? 'unchanged' : (staged?.rows ?? report.rows[table.name]);
    if (table.mustNotBeEmpty && rows === 0) problems.push(`non-empty tables: ${table.name} has 0 rows`);
    if (staged?.status === 'written' && staged.schema) {
      const expected = table.columns.map((c): [string, string] => [c.name, c.type]);
      if (columns(staged.schema) !== columns(expected))
        problems.push(`schema: ${table.name} was staged as (${columns(staged.schema)}), the contract says (${columns(expected)})`);
    }
  }
  const audit = report.audit;
  if (ctx.mode === 'daily' && audit?.month && audit.month_songplays_before && audit.month_songplays_after !== null) {
    const before = audit.month_songplays_before;
    const after = audit.month_songplays_after;
    const shrink = (before - after) / before;
    if (shrink > ctx.settings.maxMonthShrink && !ctx.forcePublish)
      problems.push(`month shrink: ${audit.month} would go from ${before} to ${after} songplays (-${pct(shrink)} > ${pct(ctx.settings.maxMonthShrink)} allowed; \`emrflow run --force-publish\` publishes it anyway)`);
  }
  return problems;
}
