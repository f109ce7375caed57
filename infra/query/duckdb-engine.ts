// `emrflow query` on provider = local: an in-memory DuckDB with one view per table over the
// lake's Parquet files (Hive partitioning on, partition keys typed as the contract says). The
// files are the tables: nothing is registered, nothing is copied.
import { DuckDBInstance, DuckDBTimestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import { listTableFiles, isDataFile, tableLocation } from '../../activities/catalog/lake-files';
import { SPARKIFY_TABLES, type TableContract } from '../../pipelines/sparkify-tables';
import { oneLine, QueryFailed, typedCell, type QueryResult } from './result';

const DUCKDB_TYPES: Record<string, string> = { string: 'VARCHAR', bigint: 'BIGINT', int: 'INTEGER', double: 'DOUBLE', timestamp: 'TIMESTAMP' };

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** read_parquet over every Parquet file of the table, partition keys from the key=value directories. */
export function parquetScan(outputUri: string, t: TableContract): string {
  const glob = `${tableLocation(outputUri, t.name)}/**/*.parquet`;
  const types = t.partitionKeys.map((k) => `${quote(k.name)}: ${DUCKDB_TYPES[k.type] ?? 'VARCHAR'}`).join(', ');
  return `read_parquet(${quote(glob)}, hive_partitioning = true, union_by_name = true${types ? `, hive_types = {${types}}` : ''})`;
}

/** The contract's tables that have data files, i.e. that some run has written. */
export async function writtenTables(outputUri: string): Promise<TableContract[]> {
  const out: TableContract[] = [];
  for (const t of SPARKIFY_TABLES) {
    const files = await listTableFiles(outputUri, t.name, () => { throw new Error('local lake expected'); });
    if (files?.some((f) => isDataFile(f.path))) out.push(t);
  }
  return out;
}

export class DuckDbLake {
  private constructor(private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection, readonly tables: TableContract[]) {}

  static async open(outputUri: string): Promise<DuckDbLake> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // The job writes UTC instants; show them in UTC whatever this machine's zone, as the job's
    // own semantics are (DuckDB's Node API formats TIMESTAMPTZ with this offset, not the setting).
    await connection.run("SET TimeZone = 'UTC'");
    DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;
    const tables = await writtenTables(outputUri);
    for (const t of tables) await connection.run(`CREATE VIEW ${t.name} AS SELECT * FROM ${parquetScan(outputUri, t)}`);
    return new DuckDbLake(instance, connection, tables);
  }

  async query(sql: string, maxRows: number): Promise<QueryResult> {
    let reader;
    try {
      reader = await this.connection.runAndReadUntil(sql, maxRows + 1);
    } catch (e) {
      throw new QueryFailed(this.explain(oneLine((e as Error).message)));
    }
    const columns = reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i]!.toString() }));
    const all = reader.getRowsJson();
    const rows = all.slice(0, maxRows).map((row) => row.map((v, i) => typedCell(columns[i]!.type, v as string | number | boolean | null)));
    return { columns, rows, truncated: all.length > maxRows, engine: 'duckdb' };
  }

  /** A query on a table of the contract that no run has written yet says so. */
  private explain(message: string): string {
    const missing = /Table with name (\w+) does not exist/.exec(message)?.[1];
    if (!missing) return message;
    // DuckDB's "Did you mean" may name one of its own system tables; name the lake's instead.
    const written = this.tables.map((t) => t.name);
    const own = message.replace(/ Did you mean "([^"]+)"\?/, (hint, name: string) => (written.includes(name) ? hint : ''));
    const contract = SPARKIFY_TABLES.find((t) => t.name === missing.toLowerCase());
    if (contract && !this.tables.includes(contract)) return `${own} (${contract.name} has not been written yet: run the pipeline first, e.g. npm start)`;
    return `${own} (the lake's tables: ${written.length > 0 ? written.join(', ') : 'none written yet'})`;
  }

  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
