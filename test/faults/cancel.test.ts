// `emrflow cancel` at each stage of a run (real worker, local provider; the step is a real
// SparkSession that sleeps): the cluster is terminated within 30 s, no step process is left,
// and the run ends CANCELLED. One worker serves every case; each run is held at its stage.
import { Context } from '@temporalio/activity';
import type { Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import type { EmrflowActivities, SongsEtlStatus } from '../../workflows/shared';
import { connectForTest, temporalAddress } from '../support/temporal';
import { emrflow } from '../support/cli-process';
import { clustersOnDisk } from './helpers/local-clusters';
import { localRunEnv, type LocalRunEnv } from './helpers/local-run';

type Name = keyof EmrflowActivities;
interface Gate { activity: Name; reached: Promise<void>; arrive(): void; release(): void; released: Promise<void> }

const gates = new Map<string, Gate>();
function gate(workflowId: string, activity: Name): Gate {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => { arrive = r; });
  const released = new Promise<void>((r) => { release = r; });
  const g = { activity, reached, arrive, release, released };
  gates.set(workflowId, g);
  return g;
}

/** Each activity first waits at its run's gate, if the run has one for it. */
function gated(activities: EmrflowActivities): EmrflowActivities {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities) as [Name, (...a: unknown[]) => Promise<unknown>][]) {
    out[name] = async (...args: unknown[]) => {
      const g = gates.get(Context.current().info.workflowExecution?.workflowId ?? "");
      if (g?.activity === name) {
        g.arrive();
        await g.released;
      }
      return fn(...args);
    };
  }
  return out as unknown as EmrflowActivities;
}

let conn: Awaited<ReturnType<typeof connectForTest>>;
let run: LocalRunEnv;
let worker: Worker;
let running: Promise<void>;
beforeAll(async () => {
  conn = await connectForTest();
  run = localRunEnv(temporalAddress());
  const activities = createActivities(run.config, { jobScript: join(import.meta.dirname, 'fixtures', 'sleepy_job.py') });
  worker = await createWorker({ connection: conn.native, config: run.config, activities: gated(activities) });
  running = worker.run();
});
afterAll(async () => {
  for (const g of gates.values()) g.release();
  worker?.shutdown();
  await running;
  await conn.close();
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** json false: the text output, whose last line must match `lastLine`. */
async function cancelAndCheck(workflowId: string, expectCluster: boolean, lastLine?: RegExp) {
  const r = await emrflow(['cancel', workflowId, ...(lastLine ? [] : ['--json'])], run.env);
  expect(r.code, r.stderr).toBe(0);
  if (lastLine) expect(r.stderr.trim().split('\n').at(-1)).toMatch(lastLine);
  else expect(JSON.parse(r.stdout)).toMatchObject({ workflowId, status: 'CANCELLED' });
  expect(r.seconds, 'cancel took too long').toBeLessThan(30);
  const mine = (await clustersOnDisk(run.stateDir)).filter((c) => c.owner === workflowId);
  expect(mine.map((c) => c.state)).toEqual(expectCluster ? ['TERMINATED'] : []);
  expect(mine.flatMap((c) => c.steps).filter((s) => s.running)).toEqual([]);
  expect((await conn.client.workflow.getHandle(workflowId).describe()).status.name).toBe('CANCELLED');
}

async function startHeldAt(activity: Name, stage: SongsEtlStatus['stage'], mode: 'daily' | 'full' = 'daily') {
  const workflowId = `fault-cancel-${stage}-${Date.now()}`;
  const g = gate(workflowId, activity);
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: run.config.temporal.task_queue, workflowId, args: [{ mode, runDate: '2018-11-15' }],
  });
  await g.reached;
  expect((await handle.query<SongsEtlStatus>('status')).stage).toBe(stage);
  return { workflowId, g };
}

test('cancelled while the job is staged: no cluster is ever created, the run ends CANCELLED', async () => {
  const { workflowId, g } = await startHeldAt('stageJob', 'stageJob');
  // Says so, rather than that a cluster was terminated.
  await cancelAndCheck(workflowId, false, new RegExp(`^emrflow: run ${workflowId} cancelled after \\d+ s; it had not created a cluster$`));
  g.release();
});

test('cancelled after its cluster was created (adding the step): the cluster is terminated', async () => {
  const { workflowId, g } = await startHeldAt('addStep', 'addStep');
  await cancelAndCheck(workflowId, true);
  g.release();
});

test('cancelled while the Spark step runs: the step is stopped and the cluster terminated, the CLI shows what it waits for', async () => {
  const workflowId = `fault-cancel-step-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: run.config.temporal.task_queue, workflowId, args: [{ mode: 'full' }],
  });
  await waitFor(async () => (await clustersOnDisk(run.stateDir)).some((c) => c.owner === workflowId && c.steps.some((s) => s.running)), 'the step to run');
  expect((await handle.query<SongsEtlStatus>('status')).stage).toBe('waitForStep');
  const r = await emrflow(['cancel', workflowId], run.env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`cancellation requested for ${workflowId}`);
  expect(r.stderr).toMatch(/waiting for the run to stop and terminate its cluster: stage (waitForStep|terminateCluster), cluster local-/);
  expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^emrflow: run ${workflowId} cancelled after \\d+ s; its cluster local-\\w+ was terminated$`));
  expect(r.seconds).toBeLessThan(30);
  const mine = (await clustersOnDisk(run.stateDir)).filter((c) => c.owner === workflowId);
  expect(mine.map((c) => [c.state, c.steps.map((s) => s.running)])).toEqual([['TERMINATED', [false]]]);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});

test('cancelled after the step, while the report is read: the cluster is terminated', async () => {
  const { workflowId, g } = await startHeldAt('readRunReport', 'readRunReport');
  await cancelAndCheck(workflowId, true);
  g.release();
});

test('cancelled during cleanup: the cluster is still terminated and the run ends CANCELLED', async () => {
  const { workflowId, g } = await startHeldAt('terminateCluster', 'terminateCluster');
  const cancelling = emrflow(['cancel', workflowId, '--json'], run.env);
  // Release the cleanup only once the cancel is on the server (the CLI takes seconds to start
  // under load; released earlier, the run would just complete).
  await waitFor(async () => {
    const { events } = await conn.client.workflow.getHandle(workflowId).fetchHistory();
    return (events ?? []).some((e) => e.workflowExecutionCancelRequestedEventAttributes);
  }, 'the cancel request in the history');
  g.release();
  const r = await cancelling;
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ workflowId, status: 'CANCELLED' });
  const mine = (await clustersOnDisk(run.stateDir)).filter((c) => c.owner === workflowId);
  expect(mine.map((c) => c.state)).toEqual(['TERMINATED']);
});

test('cancel of a run that does not exist or has ended: one line, non-zero exit', async () => {
  const missing = await emrflow(['cancel', 'songs-etl-1999-01-01'], run.env);
  // As `runs show` and `logs` of an unknown id: a bad argument, exit 2.
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim().split('\n').at(-1)).toBe('emrflow: no run with workflow id songs-etl-1999-01-01 in namespace default (see: emrflow runs list)');
  const bad = await emrflow(['cancel', 'x', '--timeout', 'soon'], run.env);
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n').at(-1)).toBe('emrflow: --timeout soon: expected a whole number of seconds');
});
