// The songs ETL end to end on this machine: the real workflow, the real local provider, real
// spark-submit of spark-jobs/etl.py on a tiny dataset, Parquet read back with DuckDB.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createProvider } from '../../activities';
import type { SongsEtlSummary } from '../../workflows/shared';
import { localPipeline } from '../support/local-pipeline';
import { parquetCount } from '../support/parquet';
import { FAKE_SECRETS, historyText, leakedSecrets } from '../support/secrets-scan';
import { captureWorkerLogs } from '../support/worker-logs';
import { connectForTest } from '../support/temporal';
import { TINY_DATASET } from '../support/tiny-dataset';
import { testTempDir } from '../support/temp-dir';

// Credentials configured for the whole file: they must never reach history or logs.
const SECRETS = FAKE_SECRETS;
const logLines: string[] = [];

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  // Capture everything the worker and its activities log in this process.
  captureWorkerLogs(logLines);
  conn = await connectForTest();
});

async function expectNoSecretsIn(workflowId: string): Promise<void> {
  const history = await historyText(conn.client, workflowId);
  const logs = logLines.join('\n');
  expect(history.length).toBeGreaterThan(1000);
  // Text that only travels inside a payload (the preflight's result): proof the scan sees payloads.
  expect(history.includes('has song_data/ and log_data/'), 'payloads are decoded').toBe(true);
  expect(logs).toContain(workflowId);
  expect(leakedSecrets(history, SECRETS)).toEqual([]);
  expect(leakedSecrets(logs, SECRETS)).toEqual([]);
}
afterAll(async () => conn.close());

test('a full run writes the five tables, reports their counts and terminates its cluster', async () => {
  const { config, worker } = await localPipeline(conn.native, SECRETS);
  const workflowId = `e2e-full-${Date.now()}`;
  const summary = await worker.runUntil(conn.client.workflow.execute('songsEtl', {
    taskQueue: config.temporal.task_queue,
    workflowId,
    args: [{ mode: 'full' }],
  })) as SongsEtlSummary;

  expect(summary.mode).toBe('full');
  expect(summary.provider).toBe('local');
  expect(summary.rows).toEqual({
    songplays: TINY_DATASET.nextSongPlays, users: TINY_DATASET.users, songs: 3, artists: 3, time: TINY_DATASET.nextSongPlays,
  });
  expect(summary.rejected.total).toBe(0);
  expect(summary.clusterBilledSeconds).toBeGreaterThan(0);

  const lake = config.datalake.output_data;
  expect(readdirSync(join(lake, 'songplays'))).toContain('year=2018');
  expect(readdirSync(join(lake, 'songplays', 'year=2018'))).toEqual(['month=11']);
  // songs by year only (rows sorted by artist_id inside the file): no directory per artist.
  expect(readdirSync(join(lake, 'songs', 'year=1956')).some((f) => f.endsWith('.parquet'))).toBe(true);
  expect(existsSync(join(lake, 'songs', 'year=1956', 'artist_id=AR1'))).toBe(false);
  // Staged, audited, then published: nothing is left in staging, and no publish is pending.
  for (const leftover of ['_staging', '_previous', '_publish/intent.json']) expect(existsSync(join(lake, leftover)), leftover).toBe(false);
  for (const table of ['songplays', 'users', 'songs', 'artists', 'time'] as const)
    expect(parquetCount(`${lake}/${table}/**/*.parquet`), table).toBe(summary.rows[table]);

  const clusters = await createProvider(config).listClusters({ all: true });
  expect(clusters.map((c) => [c.clusterId, c.state])).toEqual([[summary.clusterId, 'TERMINATED']]);
  await expectNoSecretsIn(workflowId);
});

test('a Spark job that fails fails the run with its stderr, and the cluster is still terminated', async () => {
  // The layout is there (so the preflight passes) but holds no files: the job refuses it with one clear line.
  const empty = testTempDir('emrflow-empty-input-');
  for (const sub of ['song_data', 'log_data']) mkdirSync(join(empty, sub));
  const { config, worker } = await localPipeline(conn.native, { ...SECRETS, EMRFLOW_DATALAKE_INPUT_DATA: empty });
  const workflowId = `e2e-fail-${Date.now()}`;
  const err = await worker.runUntil(conn.client.workflow.execute('songsEtl', {
    taskQueue: config.temporal.task_queue,
    workflowId,
    args: [{ mode: 'full' }],
  }).catch((e: unknown) => e));
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const message = String((err as WorkflowFailedError).cause?.message);
  expect(message).toMatch(/^task etl, stage waitForStep: Spark step s-\S+ (on \S+ )?failed/);
  expect(message.match(/stderr \(tail\)/g)).toHaveLength(1);
  expect(message).toMatch(/etl\.py: error: no song files \(\*\.json\) under \S+empty-input/);
  const clusters = await createProvider(config).listClusters({ all: true });
  expect(clusters.every((c) => c.state === 'TERMINATED')).toBe(true);
  expect(clusters).toHaveLength(1);
  await expectNoSecretsIn(workflowId);
});
