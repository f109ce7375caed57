// The star schema's table contract (DESIGN.md, "The Spark job contract"): columns with the
// Spark SQL types the job writes, and partition keys. The audit gate compares what a run staged
// against it, and the catalog registers tables from it. Plain data, no imports: workflow code
// (bundled into the sandbox) and activities both read it.

export interface TableColumn {
  name: string;
  /** Spark SQL simple type name as Parquet read-back reports it: string, bigint, int, double, timestamp. */
  type: string;
}

export interface TableContract {
  name: string;
  /** Data columns, in file order (partition keys excluded). */
  columns: TableColumn[];
  /** Partition keys, outermost first; they are directories (key=value), not file columns. */
  partitionKeys: TableColumn[];
  /** Every run must leave this table non-empty. */
  mustNotBeEmpty: boolean;
}

const col = (name: string, type: string): TableColumn => ({ name, type });

export const SPARKIFY_TABLES: readonly TableContract[] = [
  {
    name: 'songplays',
    columns: [
      col('songplay_id', 'bigint'), col('start_time', 'timestamp'), col('user_id', 'string'),
      col('level', 'string'), col('song_id', 'string'), col('artist_id', 'string'),
      col('session_id', 'bigint'), col('location', 'string'), col('user_agent', 'string'),
    ],
    partitionKeys: [col('year', 'int'), col('month', 'int')],
    mustNotBeEmpty: true,
  },
  {
    name: 'users',
    columns: [
      col('user_id', 'string'), col('first_name', 'string'), col('last_name', 'string'),
      col('gender', 'string'), col('level', 'string'),
    ],
    partitionKeys: [],
    mustNotBeEmpty: true,
  },
  {
    name: 'songs',
    columns: [col('song_id', 'string'), col('title', 'string'), col('artist_id', 'string'), col('duration', 'double')],
    partitionKeys: [col('year', 'int')],
    mustNotBeEmpty: true,
  },
  {
    name: 'artists',
    columns: [
      col('artist_id', 'string'), col('name', 'string'), col('location', 'string'),
      col('latitude', 'double'), col('longitude', 'double'),
    ],
    partitionKeys: [],
    mustNotBeEmpty: true,
  },
  {
    name: 'time',
    columns: [
      col('start_time', 'timestamp'), col('hour', 'int'), col('day', 'int'), col('week', 'int'),
      col('weekday', 'int'),
    ],
    partitionKeys: [col('year', 'int'), col('month', 'int')],
    mustNotBeEmpty: true,
  },
];
