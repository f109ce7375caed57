// A table of the contract as Glue sees it: an external Parquet table at the table's S3 location,
// with the contract's columns, types and partition keys. Athena (and Spark, Hive, Presto) read it.
import type { Column, StorageDescriptor, Table, TableInput } from '@aws-sdk/client-glue';
import type { TableColumn, TableContract } from '../../pipelines/sparkify-tables';

export const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

// Spark's simple type names are Hive's for every type the contract uses; listed so a new type
// in the contract fails here, loudly, instead of registering a type Athena cannot read.
const HIVE_TYPES: Record<string, string> = {
  string: 'string', bigint: 'bigint', int: 'int', double: 'double', timestamp: 'timestamp',
  boolean: 'boolean', float: 'float', date: 'date', smallint: 'smallint', tinyint: 'tinyint',
};

function hiveType(table: string, c: TableColumn): string {
  const t = HIVE_TYPES[c.type];
  if (!t) throw new Error(`table ${table}: column ${c.name} has type "${c.type}", which the catalog cannot map to a Hive type`);
  return t;
}

const columns = (t: TableContract, cols: TableColumn[]): Column[] => cols.map((c) => ({ Name: c.name, Type: hiveType(t.name, c) }));

export function storageDescriptor(t: TableContract, location: string): StorageDescriptor {
  return {
    Columns: columns(t, t.columns),
    Location: `${location.replace(/\/+$/, '')}/`,
    InputFormat: PARQUET.inputFormat,
    OutputFormat: PARQUET.outputFormat,
    SerdeInfo: { SerializationLibrary: PARQUET.serde, Parameters: { 'serialization.format': '1' } },
  };
}

export function tableInput(t: TableContract, location: string): TableInput {
  return {
    Name: t.name,
    Description: `emrflow: the ${t.name} table of the Sparkify star schema (pipelines/sparkify-tables.ts)`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { EXTERNAL: 'TRUE', classification: 'parquet', 'parquet.compression': 'SNAPPY' },
    PartitionKeys: columns(t, t.partitionKeys),
    StorageDescriptor: storageDescriptor(t, location),
  };
}

const shape = (cols: Column[] | undefined) => (cols ?? []).map((c) => `${c.Name}:${c.Type}`).join(',');

/** What differs between the registered table and the contract's ("" when nothing does). */
export function tableDrift(existing: Table, wanted: TableInput): string {
  const sd = existing.StorageDescriptor ?? {};
  const want = wanted.StorageDescriptor!;
  const drift: string[] = [];
  if (shape(sd.Columns) !== shape(want.Columns)) drift.push(`columns ${shape(sd.Columns)} → ${shape(want.Columns)}`);
  if (shape(existing.PartitionKeys) !== shape(wanted.PartitionKeys)) drift.push(`partition keys ${shape(existing.PartitionKeys)} → ${shape(wanted.PartitionKeys)}`);
  if (sd.Location !== want.Location) drift.push(`location ${sd.Location} → ${want.Location}`);
  if (sd.SerdeInfo?.SerializationLibrary !== PARQUET.serde || sd.InputFormat !== PARQUET.inputFormat) drift.push('storage format → Parquet');
  if (existing.TableType !== 'EXTERNAL_TABLE') drift.push(`table type ${existing.TableType} → EXTERNAL_TABLE`);
  return drift.join('; ');
}
