// `emrflow query "SQL"`: the lake's tables with SQL, the same command locally (DuckDB over the
// Parquet files) and on AWS (Athena over the Glue catalog). A bad query is the engine's own
// message on one line and exit 1; Ctrl-C stops the query (on Athena too, not just the wait).
import type { Command } from 'commander';
import { athenaClient } from '../../../activities/aws-clients';
import type { EmrflowConfig } from '../../config';
import { athenaQuery } from '../../query/athena-engine';
import { DuckDbLake } from '../../query/duckdb-engine';
import { formatResult, type OutputFormat } from '../../query/format';
import type { QueryResult } from '../../query/result';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { UsageError } from '../exit-codes';

export const DEFAULT_MAX_ROWS = 1000;

export function parseMaxRows(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000) throw new UsageError(`--max-rows ${value}: expected a whole number from 1 to 1000000`);
  return Number(value);
}

/** Runs one query on the engine the config's provider implies; Ctrl-C interrupts it. */
export async function runQuery(config: EmrflowConfig, sql: string, maxRows: number): Promise<QueryResult> {
  if (config.cluster.provider === 'local') {
    const lake = await DuckDbLake.open(config.datalake.output_data);
    const onInterrupt = () => { say('interrupted: stopping the query'); lake.interrupt(); };
    process.once('SIGINT', onInterrupt);
    try {
      return await lake.query(sql, maxRows);
    } finally {
      process.off('SIGINT', onInterrupt);
      lake.close();
    }
  }
  const abort = new AbortController();
  const onInterrupt = () => { say('interrupted: stopping the Athena query'); abort.abort(); };
  process.once('SIGINT', onInterrupt);
  try {
    return await athenaQuery(athenaClient(config.aws), config, sql, { maxRows, progress: say, signal: abort.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

export function queryCommand(program: Command): void {
  program
    .command('query')
    .description('run SQL on the lake\'s tables: DuckDB over the Parquet files locally, Athena on AWS')
    .argument('<sql>', 'the query, e.g. "SELECT level, count(*) FROM songplays GROUP BY level"')
    .option('--json', 'print a JSON array of row objects')
    .option('--csv', 'print CSV with a header line')
    .option('--max-rows <n>', `print at most this many rows (default ${DEFAULT_MAX_ROWS})`)
    .addHelpText('after', '\nExamples:\n  $ emrflow query "SELECT count(*) FROM songplays"\n  $ emrflow query "SELECT week, count(*) AS plays FROM songplays JOIN time USING (start_time) GROUP BY week" --csv\n\nTables: songplays, users, songs, artists, time (see `emrflow tables`).')
    .action(action(async (sql: string, opts: { json?: boolean; csv?: boolean; maxRows?: string }) => {
      if (opts.json && opts.csv) throw new UsageError('--json and --csv: choose one output format');
      if (sql.trim() === '') throw new UsageError('the query is empty: give the SQL as one argument, e.g. emrflow query "SELECT count(*) FROM songplays"');
      const maxRows = opts.maxRows === undefined ? DEFAULT_MAX_ROWS : parseMaxRows(opts.maxRows);
      const format: OutputFormat = opts.json ? 'json' : opts.csv ? 'csv' : 'table';
      const config = configFrom(program.opts<GlobalOptions>());
      const result = await runQuery(config, sql, maxRows);
      process.stdout.write(formatResult(result, format));
      if (result.truncated && format !== 'table') say(`only the first ${maxRows} rows were printed; more with --max-rows`);
    }));
}
