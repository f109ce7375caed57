// Reads Parquet back the way a user would query the lake: DuckDB from .venv.
import { execFileSync } from 'node:child_process';
import { venvBin } from '../../infra/paths';

export function parquetCount(glob: string): number {
  const out = execFileSync(venvBin('python'), ['-c',
    'import sys, duckdb; print(duckdb.sql(f"select count(*) from read_parquet(\'{sys.argv[1]}\', hive_partitioning=true)").fetchall()[0][0])', glob],
  { encoding: 'utf8' });
  return Number(out.trim());
}
