// Write-audit-publish and one writer per lake, end to end on this machine (issue 13, DESIGN.md
// guarantee 6): the real songsEtl workflow, the real local provider (spark-submit of
// spark-jobs/etl.py --stage-only), the real audit, publishStaged and the lake lock, on a tiny
// generated dataset. One full run builds the lake every test reuses; each test gives its worker
// its own input directory, all of them writing that one lake. Spark runs: 1 (the full run)
// + 4 (two concurrent daily runs, and the same two sequentially on a copy) + 1 (too many
// rejects) + 2 (month shrink: refused, then forced).
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { venvBin } from '../../infra/paths';
import { songsEtl } from '../../workflows';
import type { PipelineStatus, PipelineSummary, StageTiming } from '../../workflows/pipeline-types';
import { reportIdFor } from '../../workflows/run-input';
import type { SongsEtlInput } from '../../workflows/shared';
import { localPipeline, type LocalPipeline } from '../support/local-pipeline';
import { parquetCount } from '../support/parquet';
import { connectForTest } from '../support/temporal';
import { writeTinyDataset } from '../support/tiny-dataset';

const TABLES = ['songplays', 'users', 'songs', 'artists', 'time'] as const;

let conn: Awaited<ReturnType<typeof connectForTest>>;
/** Holds everything of this file: the inputs and the lakes. Removed in afterAll, also on failure. */
let root: string;
/** The lake every test writes, built by one full run over the tiny dataset (November 2018). */
let lake: string;
/**
 * One task queue for every worker of this file (one worker at a time), as in production: the
 * lake's lock workflow runs on the queue of the run that started it, so it must be served by
 * whichever worker of this file runs next.
 */
const taskQueue = `test-wap-${randomUUID()}`;

// ---- data -----------------------------------------------------------------------------------

const event = (ts: number, o: Record<string, unknown>) => ({
  artist: null, auth: 'Logged In', firstName: 'Alan', gender: 'M', itemInSession: 0, lastName: 'Turing',
  length: null, level: 'free', location: 'Manchester, UK', method: 'PUT', page: 'NextSong', registration: 1540000000000,
  sessionId: 20, song: null, status: 200, ts, userAgent: 'Mozilla/5.0', userId: '11', ...o,
});
const at = (day: string, minute: number) => Date.parse(`${day}T09:00:00Z`) + minute * 60_000;

/** A song that arrives after the full run, played in December. */
const NEW_SONG = { num_songs: 1, artist_id: 'AR4', artist_latitude: 42.3, artist_longitude: -83.0, artist_location: 'Detroit, MI', artist_name: 'Aretha Franklin', song_id: 'SO4', title: 'Respect', duration: 147.0, year: 1967 };
/** 2018-11-20: one play (user 11 turns paid), one page view. */
const NOV_20 = [
  event(at('2018-11-20', 0), { artist: 'Nina Simone', song: 'Feeling Good', length: 177.1, level: 'paid', itemInSession: 0 }),
  event(at('2018-11-20', 1), { page: 'Home', method: 'GET', level: 'paid', itemInSession: 1 }),
];
/** 2018-12-03: a new user playing the new song, user 10 again, and a page view. */
const DEC_03 = [
  event(at('2018-12-03', 0), { userId: '12', firstName: 'Grace', lastName: 'Hopper', gender: 'F', sessionId: 30, artist: 'Aretha Franklin', song: 'Respect', length: 147.0 }),
  event(at('2018-12-03', 1), { userId: '12', firstName: 'Grace', lastName: 'Hopper', gender: 'F', sessionId: 30, itemInSession: 1, artist: 'Elvis Presley', song: 'Hound Dog', length: 136.5, level: 'paid' }),
  event(at('2018-12-03', 2), { userId: '10', firstName: 'Ada', lastName: 'Lovelace', gender: 'F', sessionId: 31, artist: 'The Clash', song: 'London Calling', length: 199.0, level: 'paid' }),
  event(at('2018-12-03', 3), { userId: '10', firstName: 'Ada', lastName: 'Lovelace', gender: 'F', sessionId: 31, itemInSession: 1, page: 'Home', method: 'GET', level: 'paid' }),
];
/** The tiny dataset: 3 song files, 6 events on 2018-11-15 of which 4 are plays. */
const TINY = { songFiles: 3, nov15Events: 6, nov15Plays: 4 };

const logFile = (input: string, day: string): string => join(input, 'log_data', day.slice(0, 4), day.slice(5, 7), `${day}-events.json`);
function writeLog(input: string, day: string, lines: string[]): void {
  const file = logFile(input, day);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** The input of the daily runs: the tiny dataset plus a new song, 2018-11-20 and 2018-12-03. */
function dailyInput(name: string): string {
  const input = join(root, name);
  writeTinyDataset(input);
  mkdirSync(join(input, 'song_data', 'A', 'B', 'D'), { recursive: true });
  writeFileSync(join(input, 'song_data', 'A', 'B', 'D', 'TRSO4.json'), JSON.stringify(NEW_SONG));
  writeLog(input, '2018-11-20', NOV_20.map((e) => JSON.stringify(e)));
  writeLog(input, '2018-12-03', DEC_03.map((e) => JSON.stringify(e)));
  return input;
}

// ---- the lake, read back ----------------------------------------------------------------------

/** Every row of every table (partition columns included), sorted, as DuckDB reads them. */
function tableRows(lakeDir: string): Record<string, string[]> {
  const script = [
    'import sys, json, duckdb',
    'out = {}',
    'for t in sys.argv[2:]:',
    "    rows = duckdb.sql(f\"select * from read_parquet('{sys.argv[1]}/{t}/**/*.parquet', hive_partitioning=true)\").fetchall()",
    '    out[t] = sorted(json.dumps([str(v) for v in r]) for r in rows)',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync(venvBin('python'), ['-c', script, lakeDir, ...TABLES], { encoding: 'utf8' })) as Record<string, string[]>;
}

/** sha256 of every file under dir, by path; under the lake, _reports/ and _staging/ are left out. */
function hashes(dir: string, skip: string[] = ['_reports', '_staging']): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip.includes(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const monthPlays = (lakeDir: string, month: number): number =>
  parquetCount(`${lakeDir}/songplays/year=2018/month=${month}/*.parquet`);

// ---- runs ---------------------------------------------------------------------------------------

/** A worker on this file's queue whose runs read `input` and write `output`; its own directory goes when the test ends. */
async function pipelineFor(input: string, output: string): Promise<LocalPipeline> {
  const p = await localPipeline(conn.native, {
    EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue, EMRFLOW_DATALAKE_INPUT_DATA: input, EMRFLOW_DATALAKE_OUTPUT_DATA: output,
  });
  onTestFinished(() => rmSync(p.dir, { recursive: true, force: true }));
  return p;
}

const start = (workflowId: string, input: SongsEtlInput): Promise<WorkflowHandle<typeof songsEtl>> =>
  conn.client.workflow.start(songsEtl, { taskQueue, workflowId, args: [input] });

function stageOf(summary: PipelineSummary, stage: string, task?: string): StageTiming {
  const found = summary.stages.find((s) => s.stage === stage && (task === undefined || s.task === task));
  if (!found?.endedAt) throw new Error(`${summary.runDate}: no finished stage ${stage} in ${JSON.stringify(summary.stages)}`);
  return found;
}

/** The run's DataQualityFailed, and where it says the staged output is. */
async function qualityFailure(handle: WorkflowHandle<typeof songsEtl>): Promise<{ message: string; staged: string; stagedExpected: string }> {
  const err = await handle.result().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('DataQualityFailed');
  const message = String(cause?.message);
  const staged = /the staged output is kept at (\S+)$/.exec(message)?.[1];
  expect(staged, message).toBeDefined();
  const runId = (await handle.describe()).runId;
  return { message, staged: staged!, stagedExpected: join(lake, '_staging', reportIdFor(handle.workflowId, runId)) };
}

beforeAll(async () => {
  conn = await connectForTest();
  root = mkdtempSync(join(tmpdir(), 'emrflow-wap-'));
  lake = join(root, 'lake');
  const input = join(root, 'input-full');
  writeTinyDataset(input);
  const p = await localPipeline(conn.native, {
    EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue, EMRFLOW_DATALAKE_INPUT_DATA: input, EMRFLOW_DATALAKE_OUTPUT_DATA: lake,
  });
  try {
    const summary = await p.worker.runUntil(conn.client.workflow.execute(songsEtl, {
      taskQueue, workflowId: `e2e-wap-full-${Date.now()}`, args: [{ mode: 'full' }],
    }));
    expect(summary.rows.songplays).toBe(TINY.nov15Plays);
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
}, 300_000);

afterAll(async () => {
  if (root) rmSync(root, { recursive: true, force: true });
  await conn?.close();
});

describe('write-audit-publish on a real lake', () => {
  test('two daily runs started at the same moment on one lake run one after the other, and end as the same runs done in turn', async () => {
    const input = dailyInput('input-concurrent');
    // The reference: the same lake, copied before, gets the same two runs one after the other.
    const sequentialLake = join(root, 'lake-sequential');
    cpSync(lake, sequentialLake, { recursive: true });

    const stamp = Date.now();
    const concurrent = await pipelineFor(input, lake);
    const lakeStatuses = new Map<string, Set<string>>();
    const summaries = await concurrent.worker.runUntil(async () => {
      const handles = await Promise.all([
        start(`e2e-wap-nov-${stamp}`, { mode: 'daily', runDate: '2018-11-20' }),
        start(`e2e-wap-dec-${stamp}`, { mode: 'daily', runDate: '2018-12-03' }),
      ]);
      let finished = false;
      const watch = (async () => {
        while (!finished) {
          for (const h of handles) {
            const status = await h.query<PipelineStatus>('status').catch(() => undefined);
            if (status?.lake) lakeStatuses.set(h.workflowId, (lakeStatuses.get(h.workflowId) ?? new Set()).add(status.lake));
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      try {
        return await Promise.all(handles.map((h) => h.result()));
      } finally {
        finished = true;
        await watch;
      }
    });

    for (const s of summaries) expect(s.tasks.map((t) => [t.id, t.state]), s.runDate).toEqual([
      ['input', 'succeeded'], ['etl', 'succeeded'], ['audit', 'succeeded'], ['publish', 'succeeded'], ['catalog', 'succeeded'],
    ]);
    // Whichever got the lake first: the other took it (and only then staged anything) after the first published.
    const [first, second] = [...summaries].sort((a, b) =>
      stageOf(a, 'recoverPublish').startedAt.localeCompare(stageOf(b, 'recoverPublish').startedAt));
    const firstPublished = stageOf(first!, 'publish', 'publish').endedAt!;
    expect(stageOf(second!, 'recoverPublish').startedAt >= firstPublished).toBe(true);
    expect(stageOf(second!, 'addStep', 'etl').startedAt >= firstPublished).toBe(true);
    const firstId = `e2e-wap-${first!.runDate === '2018-11-20' ? 'nov' : 'dec'}-${stamp}`;
    const secondId = `e2e-wap-${second!.runDate === '2018-11-20' ? 'nov' : 'dec'}-${stamp}`;
    expect([...(lakeStatuses.get(secondId) ?? [])]).toContain(`waiting for the lake, held by ${firstId}`);
    expect(existsSync(join(lake, '_publish', 'intent.json'))).toBe(false);

    const sequential = await pipelineFor(input, sequentialLake);
    await sequential.worker.runUntil(async () => {
      await (await start(`e2e-wap-seq-nov-${stamp}`, { mode: 'daily', runDate: '2018-11-20' })).result();
      await (await start(`e2e-wap-seq-dec-${stamp}`, { mode: 'daily', runDate: '2018-12-03' })).result();
    });

    const got = tableRows(lake);
    expect(got).toEqual(tableRows(sequentialLake));
    // And the runs did change the lake: both months, the new song, artist and user.
    expect(monthPlays(lake, 11)).toBe(TINY.nov15Plays + 1);
    expect(monthPlays(lake, 12)).toBe(3);
    expect(got.songs!.some((r) => r.includes('"SO4"'))).toBe(true);
    expect(got.artists!.some((r) => r.includes('"AR4"'))).toBe(true);
    expect(got.users!.map((r) => (JSON.parse(r) as string[])[0])).toEqual(['10', '11', '12']);
  }, 900_000);

  test('too many rejects fail the run with DataQualityFailed; the published tables stay byte-identical and the staging is kept', async () => {
    const input = dailyInput('input-rejects');
    const malformed = Array.from({ length: 5 }, (_, i) => `this is not json ${i}`);
    writeLog(input, '2018-11-21', [JSON.stringify(event(at('2018-11-21', 0), { artist: 'Elvis Presley', song: 'Hound Dog', length: 136.5 })), ...malformed]);
    const records = TINY.songFiles + 1 + TINY.nov15Events + NOV_20.length + 1 + malformed.length;
    const share = ((malformed.length / records) * 100).toFixed(1);

    const before = hashes(lake);
    expect(Object.keys(before).some((f) => f.startsWith('songplays/year=2018/month=11/'))).toBe(true);
    const p = await pipelineFor(input, lake);
    const failure = await p.worker.runUntil(async () =>
      qualityFailure(await start(`e2e-wap-rejects-${Date.now()}`, { mode: 'daily', runDate: '2018-11-21' })));

    expect(failure.message).toMatch(/^task audit, stage check: data quality: /);
    expect(failure.message).toContain(`reject share: ${malformed.length} of ${records} input records rejected (${share}% > 5.0% allowed)`);
    expect(failure.message).not.toContain('month shrink');
    expect(hashes(lake)).toEqual(before);
    expect(failure.staged).toBe(failure.stagedExpected);
    expect(existsSync(join(failure.staged, '_manifest.json'))).toBe(true);
    expect(readdirSync(join(failure.staged, 'songplays', 'year=2018'))).toEqual(['month=11']);
    expect(readdirSync(join(failure.staged, '_rejects')).some((f) => f.endsWith('.json'))).toBe(true);
    expect(existsSync(join(lake, '_publish', 'intent.json'))).toBe(false);
  }, 600_000);

  test('a month that would lose most of its plays fails the month-shrink check; forcePublish publishes it', async () => {
    const input = dailyInput('input-shrunk');
    rmSync(logFile(input, '2018-11-15'));
    const novBefore = monthPlays(lake, 11);
    expect(novBefore).toBeGreaterThanOrEqual(TINY.nov15Plays);
    const shrink = (((novBefore - 1) / novBefore) * 100).toFixed(1);
    const before = hashes(lake);
    const p = await pipelineFor(input, lake);
    const stamp = Date.now();
    const { failure, forced } = await p.worker.runUntil(async () => {
      const failure = await qualityFailure(await start(`e2e-wap-shrink-${stamp}`, { mode: 'daily', runDate: '2018-11-20' }));
      const afterRefusal = hashes(lake);
      const forced = await (await start(`e2e-wap-forced-${stamp}`, { mode: 'daily', runDate: '2018-11-20', forcePublish: true })).result();
      return { failure: { ...failure, afterRefusal }, forced };
    });

    expect(failure.message).toContain(`month shrink: 2018-11 would go from ${novBefore} to 1 songplays (-${shrink}% > 50.0% allowed;`);
    expect(failure.message).not.toContain('reject share');
    expect(failure.afterRefusal).toEqual(before);
    expect(failure.staged).toBe(failure.stagedExpected);
    expect(existsSync(join(failure.staged, '_manifest.json'))).toBe(true);

    expect(forced.tasks.find((t) => t.id === 'publish')?.state).toBe('succeeded');
    expect(forced.rows.songplays).toBe(1);
    expect(monthPlays(lake, 11)).toBe(1);
    // The month the run does not touch is byte-identical.
    const after = hashes(lake);
    const other = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([f]) => /^(songplays|time)\/year=2018\/month=12\//.test(f)));
    expect(other(after)).toEqual(other(before));
  }, 600_000);
});
