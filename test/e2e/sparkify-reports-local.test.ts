// sparkify-reports end to end on this machine: songs-etl builds the star schema, then the reports
// pipeline runs its two reports side by side on one local cluster and the summary from both.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createProvider } from '../../activities';
import { runPipeline, songsEtl } from '../../workflows';
import { localPipeline } from '../support/local-pipeline';
import { connectForTest } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

test('a local run of sparkify-reports overlaps its two parallel steps on one cluster, which ends TERMINATED', async () => {
  const { config, worker } = await localPipeline(conn.native);
  const taskQueue = config.temporal.task_queue;
  const summary = await worker.runUntil(async () => {
    await conn.client.workflow.execute(songsEtl, { taskQueue, workflowId: `e2e-star-${Date.now()}`, args: [{ mode: 'full' }] });
    return conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: `e2e-reports-${Date.now()}`, args: [{ pipeline: 'sparkify-reports', runDate: '2018-11-15', mode: 'daily' }],
    });
  });
  const byId = Object.fromEntries(summary.tasks.map((t) => [t.id, t]));
  expect(summary.tasks.map((t) => [t.id, t.state])).toEqual([['plays-by-level', 'succeeded'], ['top-songs', 'succeeded'], ['daily-summary', 'succeeded']]);
  const [a, b, join_] = [byId['plays-by-level']!, byId['top-songs']!, byId['daily-summary']!];
  // The two reports' steps ran at the same time; the summary's after both.
  expect(a.stepStartedAt! < b.stepEndedAt! && b.stepStartedAt! < a.stepEndedAt!).toBe(true);
  expect(join_.stepStartedAt! >= a.stepEndedAt! && join_.stepStartedAt! >= b.stepEndedAt!).toBe(true);
  const clusters = (await createProvider(config).listClusters({ all: true })).filter((c) => c.clusterId === summary.clusterId);
  expect(clusters.map((c) => c.state)).toEqual(['TERMINATED']);
  const reports = join(config.datalake.output_data, 'reports');
  expect(readdirSync(reports).sort()).toEqual(['daily_summary', 'plays_by_level', 'top_songs']);
  expect(readdirSync(join(reports, 'daily_summary')).filter((d) => d.startsWith('date='))).toEqual(['date=2018-11-15']);
}, 600_000);
