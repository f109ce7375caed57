// Several workers on one task queue: two separate worker processes share ten runs; one dies
// (SIGKILL: a crashed host, an OOM kill) while runs are in flight; all ten complete, each once,
// with one cluster and one step each. A graceful stop (SIGTERM) that hands runs over without
// cancelling their steps is the hardening work's (DESIGN guarantee 7); it was not in place here.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { SongsEtlSummary } from '../../workflows/shared';
import { connectForTest, temporalAddress } from '../support/temporal';
import { clustersOnDisk } from '../faults/helpers/local-clusters';
import { addDayLogs, localRunEnv } from '../faults/helpers/local-run';
import { cliLikeWorker } from './helpers/job-worker';

// The sleepy job's daily mode writes a passing report and exits: each run is a real
// spark-submit of a seconds-long step.
const JOB = join(import.meta.dirname, '../faults/fixtures/sleepy_job.py');

test('two workers share ten runs; one stopped mid-way; all ten complete once', async () => {
  const conn = await connectForTest();
  const run = localRunEnv(temporalAddress());
  const ids = Array.from({ length: 10 }, (_, i) => `two-workers-${Date.now()}-${i}`);
  const dates = ids.map((_, i) => `2018-11-${String(i + 1).padStart(2, '0')}`);
  // The tiny dataset holds one day; without a log file for each date the runs wait at the sensor.
  addDayLogs(run, dates);
  const workers = [cliLikeWorker(run.env, JOB), cliLikeWorker(run.env, JOB)];
  try {
    await Promise.all(workers.map((w) => w.ready));
    const handles = await Promise.all(ids.map((workflowId, i) => conn.client.workflow.start('songsEtl', {
      taskQueue: run.config.temporal.task_queue, workflowId,
      args: [{ mode: 'daily', runDate: dates[i] }],
    })));
    // Mid-way: some clusters exist, not every run has finished.
    const deadline = Date.now() + 120_000;
    while ((await clustersOnDisk(run.stateDir)).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const before = await Promise.all(handles.map(async (h) => (await h.describe()).status.name));
    expect(before.filter((s) => s === 'RUNNING').length, 'runs in flight when the worker stops').toBeGreaterThan(0);
    await workers[0]!.kill();

    const summaries = await Promise.all(handles.map((h) => h.result() as Promise<SongsEtlSummary>));
    expect(summaries.map((s) => s.runDate).sort()).toEqual(dates);
    for (const id of ids) {
      const executions = [];
      for await (const e of conn.client.workflow.list({ query: `WorkflowId = '${id}'` })) executions.push(e.status.name);
      expect(executions, id).toEqual(['COMPLETED']);
    }
    const clusters = await clustersOnDisk(run.stateDir);
    expect(clusters.map((c) => c.owner).sort()).toEqual([...ids].sort());
    expect(clusters.every((c) => c.state === 'TERMINATED' && c.steps.length === 1)).toBe(true);
  } finally {
    for (const w of workers) await w.kill();
    await conn.close();
  }
}, 400_000);
