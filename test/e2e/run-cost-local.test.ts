// Issue #15 on the local provider: a run's summary has the cost section (nothing billed, with the
// run's wall time), and a budget in dl.cfg never stops a local run, since nothing it does costs
// money. The real worker runs a real spark-submit (the quick stand-in job).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { formatSummary } from '../../infra/cli/format-summary';
import { createWorker } from '../../infra/worker/create-worker';
import type { SongsEtlSummary } from '../../workflows/shared';
import { addDayLogs, localRunEnv, type LocalRunEnv } from '../faults/helpers/local-run';
import { connectForTest, temporalAddress } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
let run: LocalRunEnv;
beforeAll(async () => {
  conn = await connectForTest();
  run = localRunEnv(temporalAddress(), { EMRFLOW_COST_MAX_RUN_USD: '0.0001' });
  addDayLogs(run, ['2018-11-16']);
});
afterAll(async () => {
  await conn?.close();
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

test('a local run\'s summary says it cost $0 with its wall time, and a budget does not stop it', async () => {
  const activities = createActivities(run.config, { jobScript: join(import.meta.dirname, '../faults/fixtures/sleepy_job.py') });
  const worker = await createWorker({ connection: conn.native, config: run.config, activities });
  const summary = await worker.runUntil(conn.client.workflow.execute('songsEtl', {
    taskQueue: run.config.temporal.task_queue, workflowId: `cost-local-${Date.now()}`, args: [{ runDate: '2018-11-16', mode: 'daily' }],
  })) as SongsEtlSummary;
  expect(summary.provider).toBe('local');
  expect(summary.cost).toMatchObject({ provider: 'local', currency: 'USD', estimatedUsd: 0, pricesFrom: 'defaults', usage: { kind: 'local' } });
  // The wall time is the local cluster's life: createCluster to terminateCluster.
  const wall = (summary.cost!.usage as { wallSeconds: number }).wallSeconds;
  expect(wall).toBeGreaterThan(0);
  expect(wall).toBeCloseTo(summary.clusterBilledSeconds!, 1);
  expect(formatSummary(summary)).toContain(`\ncost: $0.00 estimated at the default us-east-1 prices (spark-submit on this machine for ${Math.round(wall)} s: nothing billed)\n`);
}, 240_000);
