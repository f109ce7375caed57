// `emrflow query` and `emrflow tables` on provider = local, after a real run of the Spark job on
// generated data: every count the CLI prints equals the count computed here, independently,
// from the input JSON (rows per table, plays per level, plays per ISO week). Bad queries are one
// line and exit 1; an empty result is a result.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sparkEnvironment, sparkSubmitCommand } from '../../activities/providers/local/local-provider';
import { runQuery } from '../../infra/cli/commands/query';
import { loadConfig } from '../../infra/config';
import { localSparkArgs } from '../../infra/local-spark';
import { demoQueryLines } from '../../infra/query/demo-query';
import { etlScript, repoRoot, sparkSubmit, venvBin } from '../../infra/paths';
import { emrflow } from '../support/cli-process';

const RUN_ID = 'query-test-full';
let dir: string;
let lake: string;

function run(cmd: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { env, cwd: repoRoot });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emrflow-query-'));
  lake = join(dir, 'lake');
  // Two months and several ISO weeks of plays, with the generator's quirks (logged-out events, near misses).
  await run([venvBin('python'), 'spark-jobs/generate_data.py', '--songs', '25', '--events', '400', '--start-date', '2018-11-24', '--days', '12', '--seed', '11', '--out', join(dir, 'input')]);
  const submit = sparkSubmitCommand(sparkSubmit, 'local[1]', '1g', localSparkArgs());
  await run(submit(etlScript, ['--input', join(dir, 'input'), '--output', lake, '--mode', 'full', '--run-id', RUN_ID]), sparkEnvironment(venvBin('python')));
}, 600_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** What the tables must hold, computed from the input files without Spark or DuckDB. */
function expectedFromInput() {
  const logRoot = join(dir, 'input', 'log_data');
  const events = readdirSync(logRoot, { recursive: true }).map(String).filter((f) => f.endsWith('.json'))
    .flatMap((f) => readFileSync(join(logRoot, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
  const plays = events.filter((e) => e.page === 'NextSong' && typeof e.userId === 'string' && e.userId !== '');
  const songRoot = join(dir, 'input', 'song_data');
  const songs = readdirSync(songRoot, { recursive: true }).map(String).filter((f) => f.endsWith('.json'))
    // One object per file, in whatever layout the generator wrote it (a byte order mark included).
    .map((f) => JSON.parse(readFileSync(join(songRoot, f), 'utf8').replace(/^\uFEFF/, '')) as { song_id: string; artist_id: string });
  const count = <T>(xs: T[], key: (x: T) => string) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  };
  return {
    rows: {
      songplays: plays.length,
      users: new Set(events.map((e) => e.userId).filter((u) => typeof u === 'string' && u !== '')).size,
      songs: new Set(songs.map((s) => s.song_id)).size,
      artists: new Set(songs.map((s) => s.artist_id)).size,
      time: new Set(plays.map((p) => p.ts)).size,
    },
    perLevel: count(plays, (p) => String(p.level)),
    perWeek: count(plays, (p) => String(isoWeek(new Date(Number(p.ts))))),
    months: [...new Set(plays.map((p) => new Date(Number(p.ts)).getUTCMonth() + 1))].sort((a, b) => a - b),
  };
}

/** ISO-8601 week number of a UTC instant (weeks start on Monday; week 1 holds the first Thursday). */
function isoWeek(d: Date): number {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  return Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

const dlCfg = (output: string) => `[datalake]\noutput_data = ${output}\n`;
const query = (sql: string, ...flags: string[]) => emrflow(['query', sql, ...flags], {}, { cleanEnv: true, dlCfg: dlCfg(lake) });
async function queryJson<T>(sql: string): Promise<T[]> {
  const r = await query(sql, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T[];
}

describe('emrflow query on DuckDB after a local run', () => {
  test('rows per table equal the counts computed from the input', async () => {
    const expected = expectedFromInput();
    // The precondition of an exact comparison: the job rejected nothing.
    const report = JSON.parse(readFileSync(join(lake, '_reports', `${RUN_ID}.json`), 'utf8')) as { rejected: { total: number } };
    expect(report.rejected.total).toBe(0);
    const rows = await queryJson<Record<string, number>>(
      'SELECT (SELECT count(*) FROM songplays) AS songplays, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM songs) AS songs, (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM time) AS time');
    expect(rows).toEqual([expected.rows]);
  });

  test('plays per level and plays per ISO week equal the input\'s', async () => {
    const expected = expectedFromInput();
    const levels = await queryJson<{ level: string; plays: number }>('SELECT level, count(*) AS plays FROM songplays GROUP BY level ORDER BY level');
    expect(levels.map((r) => [r.level, r.plays])).toEqual(expected.perLevel);
    const weeks = await queryJson<{ week: number; plays: number }>(
      'SELECT t.week, count(*) AS plays FROM songplays p JOIN time t ON p.start_time = t.start_time GROUP BY t.week ORDER BY t.week');
    expect(weeks.map((r) => [String(r.week), r.plays])).toEqual(expected.perWeek);
    expect(weeks.length).toBeGreaterThan(1);
  });

  test('the default output is an aligned table; --csv and --max-rows', async () => {
    const expected = expectedFromInput();
    const table = await query('SELECT level, count(*) AS plays FROM songplays GROUP BY level ORDER BY level');
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^level \| plays$/);
    expect(lines[1]).toMatch(/^-+-\+-+$/);
    expect(lines.slice(2, -1).map((l) => l.split('|').map((c) => c.trim()))).toEqual(expected.perLevel.map(([l, n]) => [l, String(n)]));
    expect(lines.at(-1)).toBe(`(${expected.perLevel.length} rows)`);
    const csv = await query('SELECT user_id, level FROM users ORDER BY user_id', '--csv');
    expect(csv.stdout.split('\n')[0]).toBe('user_id,level');
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(expected.rows.users + 1);
    const few = await query('SELECT * FROM songplays', '--max-rows', '3');
    expect(few.stdout.trimEnd().split('\n')).toHaveLength(2 + 3 + 1);
    expect(few.stdout.trimEnd().split('\n').at(-1)).toBe('(first 3 rows; more with --max-rows)');
  });

  test('emrflow tables: the five tables with their partitions, rows and the run that wrote them', async () => {
    const expected = expectedFromInput();
    const r = await emrflow(['tables', '--json'], {}, { cleanEnv: true, dlCfg: dlCfg(lake) });
    expect(r.code, r.stderr).toBe(0);
    const tables = JSON.parse(r.stdout) as { name: string; exists: boolean; partitions: string[]; rows: number; files: number; bytes: number; lastWrite: { runId: string; mode: string } }[];
    expect(tables.map((t) => [t.name, t.exists, t.rows])).toEqual(Object.entries(expected.rows).map(([n, rows]) => [n, true, rows]));
    expect(tables.find((t) => t.name === 'songplays')!.partitions).toEqual(expected.months.map((m) => `year=2018/month=${m}`));
    expect(tables.find((t) => t.name === 'users')!.partitions).toEqual([]);
    expect(tables.find((t) => t.name === 'songs')!.partitions.every((p) => /^year=\d+$/.test(p))).toBe(true);
    for (const t of tables) {
      expect(t.files, t.name).toBeGreaterThan(0);
      expect(t.bytes, t.name).toBeGreaterThan(0);
      expect(t.lastWrite, t.name).toMatchObject({ runId: RUN_ID, mode: 'full' });
    }
    const text = await emrflow(['tables'], {}, { cleanEnv: true, dlCfg: dlCfg(lake) });
    expect(text.stdout).toMatch(new RegExp(`^songplays +${expected.months.length}: year=2018/month=\\d+ … year=2018/month=\\d+ +${expected.rows.songplays} +`, 'm'));
  });
});

describe('npm start\'s demo ends with a real query', () => {
  test('the five most played songs of the run, then the commands to try next', async () => {
    const { config } = loadConfig({ env: { EMRFLOW_DATALAKE_OUTPUT_DATA: lake }, cwd: dir });
    const lines = await demoQueryLines(config, runQuery);
    expect(lines[0]).toBe('the five most played songs (emrflow query, duckdb):');
    expect(lines[1]).toMatch(/^ {2}title +\| artist +\| plays$/);
    const plays = lines.slice(3, 8).map((l) => Number(l.split('|')[2]));
    expect(plays).toHaveLength(5);
    expect(plays.every((n, i) => n >= 1 && (i === 0 || n <= plays[i - 1]!))).toBe(true);
    expect(lines[8]).toBe('  (5 rows)');
    expect(lines.slice(9)).toEqual([
      'query the tables yourself:',
      '  $ npx emrflow query "SELECT count(*) FROM songplays"',
      '  $ npx emrflow query "SELECT level, count(*) AS plays FROM songplays GROUP BY level" --csv',
      '  $ npx emrflow tables',
    ]);
  });
});

describe('bad input', () => {
  test('an unknown table: the engine\'s one line naming it, and the tables there are; exit 1', async () => {
    const r = await query('SELECT * FROM plays');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('emrflow: Catalog Error: Table with name plays does not exist! (the lake\'s tables: songplays, users, songs, artists, time)\n');
  });

  test('a syntax error: the parser\'s message on one line; exit 1', async () => {
    const r = await query('SELECT level FORM songplays');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('emrflow: Parser Error: syntax error at or near "songplays"\n');
  });

  test('an empty result is a result: header and (0 rows), [] in JSON; exit 0', async () => {
    const r = await query("SELECT user_id, level FROM users WHERE level = 'nobody'");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('user_id | level\n--------+------\n(0 rows)\n');
    expect(await queryJson("SELECT * FROM users WHERE level = 'nobody'")).toEqual([]);
  });

  test('usage errors are exit 2: two formats, a bad --max-rows, an empty query', async () => {
    expect((await query('SELECT 1', '--json', '--csv')).stderr).toBe('emrflow: --json and --csv: choose one output format\n');
    const bad = await query('SELECT 1', '--max-rows', '0');
    expect([bad.code, bad.stderr]).toEqual([2, 'emrflow: --max-rows 0: expected a whole number from 1 to 1000000\n']);
    expect((await query('  ')).code).toBe(2);
  });

  test('before any run: tables are listed as not written yet, and a query on one says so', async () => {
    const empty = join(dir, 'empty-lake');
    mkdirSync(empty, { recursive: true });
    const t = await emrflow(['tables'], {}, { cleanEnv: true, dlCfg: dlCfg(empty) });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.trimEnd().split('\n').slice(1).map((l) => l.replace(/ +/g, ' '))).toEqual(
      ['songplays', 'users', 'songs', 'artists', 'time'].map((n) => `${n} not written yet: no run has published it`));
    const q = await emrflow(['query', 'SELECT count(*) FROM songplays'], {}, { cleanEnv: true, dlCfg: dlCfg(empty) });
    expect(q.code).toBe(1);
    expect(q.stderr).toBe('emrflow: Catalog Error: Table with name songplays does not exist! (songplays has not been written yet: run the pipeline first, e.g. npm start)\n');
  });
});
