// What `etl.py --stage-only` leaves in an S3 lake for one run, written from the test side for the
// providers moto cannot run Spark on (EMR steps, EMR Serverless job runs): the tables under
// _staging/<run-id>/, then the manifest (last: its presence means the staging is complete), then
// the run report. The data files only need their names and places (publish and the catalog read
// prefixes, not Parquet); the report's schemas are etl.py's, which the audit compares with the
// table contract.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';

// etl.py's CONTRACT: the file columns as Spark reads the staged Parquet back (describe_staged).
export const ETL_SCHEMA: Record<string, [string, string][]> = {
  songplays: [['songplay_id', 'bigint'], ['start_time', 'timestamp'], ['user_id', 'string'], ['level', 'string'], ['song_id', 'string'],
    ['artist_id', 'string'], ['session_id', 'bigint'], ['location', 'string'], ['user_agent', 'string']],
  users: [['user_id', 'string'], ['first_name', 'string'], ['last_name', 'string'], ['gender', 'string'], ['level', 'string']],
  songs: [['song_id', 'string'], ['title', 'string'], ['artist_id', 'string'], ['duration', 'double']],
  artists: [['artist_id', 'string'], ['name', 'string'], ['location', 'string'], ['latitude', 'double'], ['longitude', 'double']],
  time: [['start_time', 'timestamp'], ['hour', 'int'], ['day', 'int'], ['week', 'int'], ['weekday', 'int']],
};

export interface EtlArgs { input: string; output: string; mode: 'full' | 'daily'; runDate: string; runId: string; stageOnly: boolean }

export function etlArgs(args: string[]): EtlArgs {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) throw new Error(`the Spark task's arguments have no ${name}: ${args.join(' ')}`);
    return args[i + 1]!;
  };
  return {
    input: flag('--input'), output: flag('--output'), mode: flag('--mode') as EtlArgs['mode'], runDate: flag('--run-date'),
    runId: flag('--run-id'), stageOnly: args.includes('--stage-only'),
  };
}

/** What the run's input holds, as far as the staged output depends on it. */
export interface RunData {
  /** [year, month] → songplays in that month (time has one row per distinct start_time: the same here). */
  months: [number, number, number][];
  users: number;
  /** Song years (0 = unknown), or null when the input has no song the lake has not seen (a daily run). */
  songYears: number[] | null;
  songs: number;
  artists: number;
  rejected: Record<string, number>;
  input: { song_files: number; log_files: number; song_records: number; log_records: number };
  /** Songplays of the run date's month already published (a daily run's audit). */
  monthBefore?: number;
}

const part = (n: number) => `part-${String(n).padStart(5, '0')}-${randomUUID()}.c000.snappy.parquet`;
const single = () => `part-00000-${randomUUID()}-c000.snappy.parquet`;

/**
 * Writes what `etl.py --stage-only` writes for these arguments (stage_tables, describe_staged,
 * the manifest last, then the report), in that order; returns the report.
 */
export async function stageLikeEtl(s3: S3Client, a: EtlArgs, data: RunData): Promise<Record<string, unknown>> {
  const out = a.output.replace(/\/+$/, '');
  const [bucket, ...rest] = out.slice('s3://'.length).split('/');
  const prefix = rest.join('/');
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const root = `${prefix}/_staging/${a.runId}`;
  const daily = a.mode === 'daily';
  const moves: { table: string; staged: string | null; target: string }[] = [];
  const monthDirs = data.months.map(([y, m]) => `year=${y}/month=${m}`);
  for (const table of ['songplays', 'time']) {
    for (const [i, dir] of monthDirs.entries()) await put(`${root}/${table}/${dir}/${part(i)}`, 'PAR1');
    await put(`${root}/${table}/_SUCCESS`, '');
  }
  const [ry, rm] = a.runDate.split('-').map(Number) as [number, number];
  if (daily) {
    for (const table of ['songplays', 'time']) {
      const rel = `${table}/year=${ry}/month=${rm}`;
      moves.push({ table, staged: monthDirs.includes(`year=${ry}/month=${rm}`) ? rel : null, target: rel });
    }
  } else {
    moves.push({ table: 'songplays', staged: 'songplays', target: 'songplays' }, { table: 'time', staged: 'time', target: 'time' });
  }
  for (const dir of ['users', '_state/users_latest']) {
    await put(`${root}/${dir}/${single()}`, 'PAR1');
    await put(`${root}/${dir}/_SUCCESS`, '');
  }
  moves.push({ table: 'users', staged: 'users', target: 'users' }, { table: '_state', staged: '_state/users_latest', target: '_state/users_latest' });
  if (data.songYears) {
    for (const [i, y] of data.songYears.entries()) await put(`${root}/songs/year=${y}/${part(i)}`, 'PAR1');
    await put(`${root}/songs/_SUCCESS`, '');
    for (const dir of ['artists', '_state/songs']) {
      await put(`${root}/${dir}/${single()}`, 'PAR1');
      await put(`${root}/${dir}/_SUCCESS`, '');
    }
    moves.push({ table: 'songs', staged: 'songs', target: 'songs' }, { table: 'artists', staged: 'artists', target: 'artists' },
      { table: '_state', staged: '_state/songs', target: '_state/songs' });
  }
  const rejectedTotal = Object.values(data.rejected).reduce((s, n) => s + n, 0);
  if (rejectedTotal > 0) {
    await put(`${root}/_rejects/part-00000-${randomUUID()}-c000.json`, '{"source":"log","reason":"malformed_json"}\n');
    await put(`${root}/_rejects/_SUCCESS`, '');
    moves.push({ table: '_rejects', staged: '_rejects', target: `_rejects/${a.runId}` });
  }

  const plays = data.months.reduce((s, [, , n]) => s + n, 0);
  const rows: Record<string, number | 'unchanged'> = {
    songplays: plays, time: plays, users: data.users,
    songs: data.songYears ? data.songs : 'unchanged', artists: data.songYears ? data.artists : 'unchanged',
  };
  const partitionsOf: Record<string, string[]> = {
    songplays: [...monthDirs].sort(), time: [...monthDirs].sort(), users: [], artists: [],
    songs: data.songYears ? data.songYears.map((y) => `year=${y}`).sort() : [],
  };
  const tables = Object.fromEntries(['songplays', 'users', 'songs', 'artists', 'time'].map((t) => [t, rows[t] === 'unchanged'
    ? { status: 'unchanged', rows: null, schema: null, partitions: [] }
    : { status: 'written', rows: rows[t], schema: ETL_SCHEMA[t], partitions: partitionsOf[t] }]));
  const audit = daily
    ? { month: `${ry}-${String(rm).padStart(2, '0')}`, month_songplays_before: data.monthBefore ?? 0, month_songplays_after: plays }
    : { month: null, month_songplays_before: null, month_songplays_after: null };
  const now = new Date().toISOString();
  const manifest = { format: 1, run_id: a.runId, mode: a.mode, run_date: a.runDate, created_at: now, moves };
  // Written LAST: its presence means the staging is complete.
  await put(`${root}/_manifest.json`, `${JSON.stringify(manifest, null, 1)}\n`);
  const report = {
    run_id: a.runId, mode: a.mode, run_date: a.runDate, input_uri: a.input, output_uri: a.output, input: data.input,
    rejected: { total: rejectedTotal, by_reason: data.rejected }, rows,
    partitions_written: {
      songplays: partitionsOf.songplays!.map((p) => `${out}/songplays/${p}`),
      time: partitionsOf.time!.map((p) => `${out}/time/${p}`),
      songs: partitionsOf.songs!.length,
    },
    staged_uri: `${out}/_staging/${a.runId}`, published: false, tables, audit,
    timings_s: { recover: 0.4, read: 3.1, transform: 5.2, write: 7.9, publish: 0, total: 16.6 },
    started_at: now, finished_at: now, spark_version: '3.5.1',
  };
  await put(`${prefix}/_reports/${a.runId}.json`, `${JSON.stringify(report)}\n`);
  return report;
}
