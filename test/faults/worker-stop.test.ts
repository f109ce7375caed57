// Item 6 of #16: a worker stopped while it waits on a Spark step hands the wait over within
// seconds, whether the stop is SIGTERM to its whole process group (systemd, a terminal's Ctrl-C)
// or to its main process only. The step keeps running untouched; a second worker resumes the
// wait and the run completes with its one step.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { SongsEtlStatus, SongsEtlSummary } from '../../workflows/shared';
import { connectForTest, temporalAddress } from '../support/temporal';
import { clustersOnDisk } from './helpers/local-clusters';
import { localRunEnv } from './helpers/local-run';
import { jobWorker, type WorkerProcess } from './helpers/worker-process';
import { LocalState } from '../../activities/providers/local/local-state';

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const how of ['process group', 'main process'] as const) {
  test(`item 6: SIGTERM to the worker's ${how} during the wait hands it to a second worker within seconds; the step runs on untouched and the run completes`, async () => {
    const conn = await connectForTest();
    const run = localRunEnv(temporalAddress(), { EMRFLOW_TEST_JOB_SCRIPT: join(import.meta.dirname, 'fixtures', 'release_job.py') });
    const workflowId = `fault-stop-${how.replace(' ', '-')}-${Date.now()}`;
    const workers: WorkerProcess[] = [];
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue: run.config.temporal.task_queue, workflowId, args: [{ mode: 'full' }] });
    try {
      workers.push(jobWorker(run.env));
      await until('the step to run and the run to wait on it', async () =>
        existsSync(join(run.lake, 'started')) && (await handle.query<SongsEtlStatus>('status')).stage === 'waitForStep');
      const [before] = await clustersOnDisk(run.stateDir);
      const step = before!.steps[0]!;

      const stopping = Date.now();
      await (how === 'process group' ? workers[0]!.stopGroup() : workers[0]!.stop());
      const stopSeconds = (Date.now() - stopping) / 1000;
      expect(stopSeconds, `the worker took ${stopSeconds}s to stop:\n${workers[0]!.output()}`).toBeLessThan(15);

      // The step is not the stopping worker's to stop.
      const [after] = await clustersOnDisk(run.stateDir);
      expect(after!.steps).toEqual([{ ...step, running: true }]);
      expect((await new LocalState(run.stateDir).readStep(after!.clusterId, step.stepId))?.cancelled).toBeUndefined();

      const handedOver = Date.now();
      workers.push(jobWorker(run.env));
      // The second worker resumes the wait (a new attempt of waitForStep), then the step ends.
      // (A retried activity's started event enters the history only when it ends: ask for the pending one.)
      let resumedBy = '';
      await until('the second worker to resume the wait', async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const wait = pending.find((a) => a.activityType?.name === 'waitForStep');
        resumedBy = wait?.lastWorkerIdentity ?? '';
        return (wait?.attempt ?? 1) >= 2 && Number(wait?.state) === 2; // STARTED
      }, 30_000);
      expect(resumedBy).toContain(String(workers[1]!.child.pid));
      expect((Date.now() - handedOver) / 1000, 'resumed within seconds, not after the heartbeat timeout').toBeLessThan(30);
      writeFileSync(join(run.lake, 'release'), '');
      const summary = await handle.result() as SongsEtlSummary;

      expect(summary.stepId).toBe(step.stepId);
      const clusters = await clustersOnDisk(run.stateDir);
      expect(clusters.map((c) => ({ state: c.state, steps: c.steps.map((s) => s.stepId) })))
        .toEqual([{ state: 'TERMINATED', steps: [step.stepId] }]);
      const history = JSON.stringify((await handle.fetchHistory()).events);
      expect(history).toContain('WaitHandedOver');
      expect(history, 'the step was never cancelled').not.toContain('was cancelled');
    } finally {
      for (const w of workers) await w.kill();
      await handle.terminate('test cleanup').catch(() => undefined);
      await conn.close();
      rmSync(run.dir, { recursive: true, force: true });
    }
  }, 300_000);
}
