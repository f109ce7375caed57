// The worker is SIGKILLed at every stage of one run (six times), each time by a real separate worker process
// held at that point, and restarted: the run still completes with the right tables, exactly one
// cluster was created, it is terminated, and no step process is left running.
import { rmSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { SongsEtlStatus, SongsEtlSummary } from '../../workflows/shared';
import { parquetCount } from '../support/parquet';
import { connectForTest, temporalAddress } from '../support/temporal';
import { TINY_DATASET } from '../support/tiny-dataset';
import { clustersOnDisk } from './helpers/local-clusters';
import { localRunEnv } from './helpers/local-run';
import { cliWorker, heldWorker, type WorkerProcess } from './helpers/worker-process';

// Where each incarnation of the worker dies: the activity's effect is done (or, for the report,
// not started) and its result dies with the worker.
const KILLS = [
  { hold: 'stageJob:after', stage: 'stageJob', what: 'after staging' },
  { hold: 'createCluster:after', stage: 'createCluster', what: 'after cluster creation' },
  { hold: 'addStep:after', stage: 'addStep', what: 'while the step runs' },
  // Inside the long wait itself: the new worker's attempt starts after the 1-minute heartbeat
  // timeout and resumes from the last heartbeat; the step is not submitted again.
  { hold: 'waitForStep:during', stage: 'waitForStep', what: 'while it waits for the step' },
  { hold: 'readRunReport:before', stage: 'readRunReport', what: 'after the step' },
  { hold: 'terminateCluster:after', stage: 'terminateCluster', what: 'during cleanup' },
] as const;

test('SIGKILL of the worker after staging, after cluster creation, while the step runs, inside the wait for it, after the step and during cleanup: the run completes with one cluster, terminated', async () => {
  const conn = await connectForTest();
  const run = localRunEnv(temporalAddress());
  const workflowId = `fault-kill-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: run.config.temporal.task_queue, workflowId, args: [{ mode: 'full' }],
  });
  const killedAt: string[] = [];
  let worker: WorkerProcess | undefined;
  try {
    for (const kill of KILLS) {
      worker = await heldWorker(run.env, kill.hold, 240_000);
      const status = await handle.query<SongsEtlStatus>('status');
      expect(status.stage, kill.what).toBe(kill.stage);
      if (kill.stage === 'addStep') {
        const [cluster] = await clustersOnDisk(run.stateDir);
        expect(cluster?.steps.map((s) => s.running), 'the Spark step is running when the worker dies').toEqual([true]);
      }
      await worker.kill();
      killedAt.push(status.stage);
    }
    worker = cliWorker(run.env);
    const summary = await handle.result() as SongsEtlSummary;
    await worker.stop();

    expect(killedAt).toEqual(KILLS.map((k) => k.stage));
    // Each killed activity was really cut off: its last attempt, on a later worker, is at least the second.
    const events = (await handle.fetchHistory()).events ?? [];
    const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name!]));
    const attempts: Record<string, number> = {};
    for (const e of events) {
      const started = e.activityTaskStartedEventAttributes;
      if (!started) continue;
      const type = typeOf.get(String(started.scheduledEventId))!;
      attempts[type] = Math.max(attempts[type] ?? 0, started.attempt ?? 1);
    }
    for (const kill of KILLS) expect(attempts[kill.stage], `attempts of ${kill.stage}`).toBeGreaterThanOrEqual(2);
    expect(summary.rows).toEqual({
      songplays: TINY_DATASET.nextSongPlays, users: TINY_DATASET.users, songs: 3, artists: 3, time: TINY_DATASET.nextSongPlays,
    });
    for (const table of ['songplays', 'users', 'songs', 'artists', 'time'] as const)
      expect(parquetCount(`${run.lake}/${table}/**/*.parquet`), table).toBe(summary.rows[table]);
    const clusters = await clustersOnDisk(run.stateDir);
    expect(clusters.map((c) => ({ id: c.clusterId, state: c.state, owner: c.owner, steps: c.steps.length })))
      .toEqual([{ id: summary.clusterId, state: 'TERMINATED', owner: workflowId, steps: 1 }]);
    expect(clusters[0]!.steps.some((s) => s.running), 'a step process outlived its run').toBe(false);
  } finally {
    // A failed or timed-out test must not leave a worker polling behind it.
    await worker?.kill();
    await handle.terminate('test cleanup').catch(() => undefined);
    await conn.close();
    rmSync(run.dir, { recursive: true, force: true });
  }
}, 400_000);
