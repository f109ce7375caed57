// `emrflow query` with provider = emr, against moto's Athena (which accepts queries without
// running them: the rows are preloaded, and moto_athena.py adds paging, failures and long
// queries). Results over several GetQueryResults pages, a failed query's reason, Ctrl-C stopping
// the query on Athena, an empty result.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { awsEnv, emrflow } from '../aws/fixtures/aws-cli';
import { startMoto, type Moto } from '../support/moto';

let moto: Moto;
let env: Record<string, string>;
let athena: AthenaClient;
const buckets = { code: 'athena-code', input: 'athena-input', output: 'athena-lake' };

beforeAll(async () => {
  moto = await startMoto();
  env = { ...awsEnv(moto.endpoint, buckets), EMRFLOW_CLUSTER_PROVIDER: 'emr' };
  athena = new AthenaClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  // What a user does first: bootstrap creates the buckets, the Glue database and the workgroup.
  const boot = await emrflow(['aws', 'bootstrap'], env);
  expect(boot.code, boot.stdout + boot.stderr).toBe(0);
  expect(boot.lines).toContain('created      athena workgroup emrflow  query results to s3://athena-code/emrflow/athena-results/, encrypted (SSE-S3)');
}, 120_000);
afterAll(async () => moto?.stop());

const plays = (n: number) => ({
  columns: [{ name: 'songplay_id', type: 'bigint' }, { name: 'level', type: 'varchar' }, { name: 'start_time', type: 'timestamp' }],
  // Athena's first row of a SELECT is the header.
  rows: [['songplay_id', 'level', 'start_time'], ...Array.from({ length: n }, (_, i) => [String(i), i % 3 === 0 ? 'paid' : 'free', `2018-11-15 10:${String(i % 60).padStart(2, '0')}:00.000`])],
});

describe('emrflow query on Athena (moto)', () => {
  test('a result larger than one page is read page by page, typed, header row dropped', async () => {
    await moto.athenaResults([plays(2_345)]);
    const r = await emrflow(['query', 'SELECT songplay_id, level, start_time FROM songplays', '--json', '--max-rows', '5000'], env);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { songplay_id: number; level: string; start_time: string }[];
    expect(rows).toHaveLength(2_345);
    expect(rows[0]).toEqual({ songplay_id: 0, level: 'paid', start_time: '2018-11-15 10:00:00.000' });
    expect(rows.at(-1)?.songplay_id).toBe(2_344);
    // Progress went to stderr, with the query id and its state.
    expect(r.stderr).toMatch(/emrflow: athena query [0-9a-f-]{36}: SUCCEEDED after \d+s/);
    // The query ran in the configured workgroup and database.
    const ids = (await athena.send(new ListQueryExecutionsCommand({ WorkGroup: 'emrflow' }))).QueryExecutionIds ?? [];
    const last = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: ids.at(-1) }))).QueryExecution;
    expect(last?.QueryExecutionContext?.Database).toBe('sparkify');
  });

  test('--max-rows stops reading pages early and says so; the default output is an aligned table', async () => {
    await moto.athenaResults([plays(1_500), plays(2)]);
    const capped = await emrflow(['query', 'SELECT * FROM songplays', '--csv', '--max-rows', '1200'], env);
    expect(capped.code, capped.stderr).toBe(0);
    expect(capped.lines).toHaveLength(1 + 1_200);
    expect(capped.lines[0]).toBe('songplay_id,level,start_time');
    expect(capped.stderr).toContain('emrflow: only the first 1200 rows were printed; more with --max-rows');
    const table = await emrflow(['query', 'SELECT * FROM songplays LIMIT 2'], env);
    expect(table.lines).toEqual([
      'songplay_id | level | start_time',
      '------------+-------+------------------------',
      '          0 | paid  | 2018-11-15 10:00:00.000',
      '          1 | free  | 2018-11-15 10:01:00.000',
      '(2 rows)',
    ]);
  });

  test('a failed query: Athena\'s reason on one line, exit 1', async () => {
    const reason = "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sparkify.plays' does not exist";
    await moto.athenaOutcomes([{ state: 'FAILED', reason }]);
    const r = await emrflow(['query', 'SELECT * FROM plays'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`emrflow: ${reason}`);
  });

  test('a syntax error is Athena\'s one line too', async () => {
    const reason = "line 1:13: mismatched input 'FORM'. Expecting: ',', 'FROM', <EOF>";
    await moto.athenaOutcomes([{ state: 'FAILED', reason }]);
    const r = await emrflow(['query', 'SELECT level FORM songplays'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`emrflow: ${reason}`);
  });

  test('an empty result: the header and (0 rows), [] in JSON', async () => {
    await moto.athenaResults([{ columns: plays(0).columns, rows: plays(0).rows }, { columns: plays(0).columns, rows: plays(0).rows }]);
    const r = await emrflow(['query', "SELECT * FROM songplays WHERE level = 'nobody'"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toEqual(['songplay_id | level | start_time', '------------+-------+-----------', '(0 rows)']);
    const j = await emrflow(['query', "SELECT * FROM songplays WHERE level = 'nobody'", '--json'], env);
    expect(JSON.parse(j.stdout)).toEqual([]);
  });

  test('Ctrl-C while the query runs stops it on Athena (StopQueryExecution), exit 1', async () => {
    await moto.athenaOutcomes([{ state: 'RUNNING' }]);
    const cwd = mkdtempSync(join(tmpdir(), 'emrflow-cli-'));
    try {
      const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), 'query', 'SELECT count(*) FROM songplays'], {
        cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_EC2_METADATA_DISABLED: 'true', EMRFLOW_CONFIG: '', ...env },
      });
      let stderr = '';
      const running = new Promise<string>((resolve) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const id = /athena query ([0-9a-f-]{36}): RUNNING/.exec(stderr)?.[1];
          if (id) resolve(id);
        });
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const id = await running;
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(stderr).toContain(`emrflow: query ${id} cancelled: StopQueryExecution sent to Athena`);
      const state = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status?.State;
      expect(state).toBe('CANCELLED');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('emrflow tables on S3', () => {
  test('files, sizes and partitions from the lake; the last run from the newest report that wrote each table', async () => {
    const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-west-2', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: buckets.output, Key: `lake/${key}`, Body: body }));
    await put('songplays/year=2018/month=11/part-0.snappy.parquet', 'x'.repeat(100));
    await put('songplays/year=2018/month=12/part-0.snappy.parquet', 'x'.repeat(50));
    await put('songplays/_SUCCESS', '');
    await put('users/part-0.snappy.parquet', 'x'.repeat(10));
    // An older full run (report of the old shape), then a daily run (new shape) that rewrote only songplays and users,
    // then a run whose audit failed: staged, never published.
    await put('_reports/full-1.json', JSON.stringify({ run_id: 'full-1', mode: 'full', finished_at: '2018-12-01T08:00:00Z', rows: { songplays: 5, users: 2, songs: 3, artists: 3, time: 5 } }));
    await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has one-second resolution
    await put('_reports/daily-2.json', JSON.stringify({ run_id: 'daily-2', mode: 'daily', finished_at: '2018-12-02T08:00:00Z', published: true,
      rows: { songplays: 2, users: 2, songs: 'unchanged', artists: 'unchanged', time: 2 },
      tables: { songplays: { status: 'written' }, users: { status: 'written' }, songs: { status: 'unchanged' }, artists: { status: 'unchanged' }, time: { status: 'written' } } }));
    await new Promise((r) => setTimeout(r, 1100));
    await put('_reports/daily-3.json', JSON.stringify({ run_id: 'daily-3', mode: 'daily', finished_at: '2018-12-03T08:00:00Z', published: false,
      rows: { songplays: 0, users: 2, songs: 'unchanged', artists: 'unchanged', time: 0 }, tables: { songplays: { status: 'written' } } }));
    const r = await emrflow(['tables', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const tables = JSON.parse(r.stdout) as { name: string; exists: boolean; partitions: string[]; rows: number | null; files: number; bytes: number; lastWrite: { runId: string } | null }[];
    expect(tables.map((t) => ({ name: t.name, exists: t.exists, partitions: t.partitions, rows: t.rows, files: t.files, bytes: t.bytes, run: t.lastWrite?.runId ?? null }))).toEqual([
      { name: 'songplays', exists: true, partitions: ['year=2018/month=11', 'year=2018/month=12'], rows: null, files: 2, bytes: 150, run: 'daily-2' },
      { name: 'users', exists: true, partitions: [], rows: null, files: 1, bytes: 10, run: 'daily-2' },
      { name: 'songs', exists: false, partitions: [], rows: 0, files: 0, bytes: 0, run: 'full-1' },
      { name: 'artists', exists: false, partitions: [], rows: 0, files: 0, bytes: 0, run: 'full-1' },
      { name: 'time', exists: false, partitions: [], rows: 0, files: 0, bytes: 0, run: 'daily-2' },
    ]);
    const text = await emrflow(['tables'], env);
    expect(text.lines[1]).toMatch(/^songplays +2: year=2018\/month=11 … year=2018\/month=12 +\? +2 +150 B +daily-2 \(daily\) at 2018-12-02T08:00:00Z$/);
    expect(text.lines[3]).toMatch(/^songs +not written yet: no run has published it$/);
  });
});
