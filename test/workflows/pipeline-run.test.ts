// runPipeline on the real workflow bundle with fake activities: the DAG's order, fan-out on one
// cluster, failure semantics, per-task retries, invalid input, and pipelines that run after others.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPipeline, statusQuery } from '../../workflows';
import type { PipelinePlan, PlannedTask } from '../../workflows/pipeline-plan';
import type { PipelineSummary } from '../../workflows/pipeline-types';
import { fakeActivities } from '../support/fake-activities';
import { connectForTest } from '../support/temporal';
import { uniqueId, withWorker, type Conn } from './fixtures/harness';

let conn: Conn;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

const spark = (id: string, dependsOn: string[] = [], retries = 0): PlannedTask =>
  ({ id, dependsOn, kind: 'spark', script: 'etl.py', args: ['--date', '{runDate}'], retries, report: false });
const plan = (name: string, tasks: PlannedTask[], dependants: string[] = []): PipelinePlan =>
  ({ name, description: name, file: `pipelines/${name}.ts`, tasks, dependants, after: [], params: {}, stepConcurrency: 2 });
const fanOut = plan('fan', [spark('a'), spark('b'), spark('join', ['a', 'b'])]);

async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await run.then(() => { throw new Error('the run succeeded'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}

describe('runPipeline', () => {
  test('independent tasks run at once on one cluster, the join after both, and the cluster ends when no task needs it', async () => {
    const fake = fakeActivities({ plans: { fan: fanOut }, stepMs: 300 });
    const summary = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: uniqueId('fan'), args: [{ pipeline: 'fan', runDate: '2018-11-15', mode: 'daily' }],
    }));
    expect(fake.names().filter((n) => n === 'createCluster')).toHaveLength(1);
    expect(fake.calls.find((c) => c.name === 'createCluster')?.args[1]).toEqual({ stepConcurrency: 2 });
    const byId = Object.fromEntries(summary.tasks.map((t) => [t.id, t]));
    expect(summary.tasks.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // a and b overlap; join starts after both ended.
    expect(byId.a!.stepStartedAt! < byId.b!.stepEndedAt! && byId.b!.stepStartedAt! < byId.a!.stepEndedAt!).toBe(true);
    expect(byId.join!.stepStartedAt! >= byId.a!.stepEndedAt! && byId.join!.stepStartedAt! >= byId.b!.stepEndedAt!).toBe(true);
    const steps = fake.calls.filter((c) => c.name === 'addStep').map((c) => (c.args[0] as { task: { id: string }; lastStep: boolean }));
    // Only the last step lets an EMR cluster end itself; before it, the cluster must stay for the join.
    expect(steps.map((s) => [s.task.id, s.lastStep])).toEqual([['a', false], ['b', false], ['join', true]]);
    // The cluster is terminated before the run's cost is read from it.
    expect(fake.names().slice(-2)).toEqual(['terminateCluster', 'runCost']);
    expect(fake.live()).toEqual([]);
  });

  test('a failed task cancels its running sibling, skips its dependants, and the cluster is terminated', async () => {
    const fake = fakeActivities({ plans: { fan: fanOut }, failTasks: { a: { message: 'boom' } }, stepMs: 50 });
    const workflowId = uniqueId('fan-fail');
    const { failure, status } = await withWorker(conn, fake.activities, async (taskQueue) => {
      const failure = await failureOf(conn.client.workflow.execute(runPipeline, {
        taskQueue, workflowId, args: [{ pipeline: 'fan', runDate: '2018-11-15', mode: 'daily' }],
      }));
      return { failure, status: await conn.client.workflow.getHandle(workflowId).query(statusQuery) };
    });
    expect(failure.type).toBe('SparkStepFailed');
    expect(failure.message).toMatch(/^task a, stage waitForStep: Spark step s-FAKE\d failed: boom/);
    const states = Object.fromEntries(status.tasks.map((t) => [t.id, t.state]));
    expect(states.a).toBe('failed');
    expect(['cancelled', 'succeeded']).toContain(states.b);
    expect(states.join).toBe('skipped');
    expect(fake.names()).not.toContain('readRunReport');
    expect(fake.live()).toEqual([]);
  });

  test('a failed step is retried as a new step with the attempt in its name, never a duplicate', async () => {
    const p = plan('retry', [spark('flaky', [], 1)]);
    const fake = fakeActivities({ plans: { retry: p }, failTasks: { flaky: { message: 'lost executor', attempts: [1] } } });
    const workflowId = uniqueId('retry');
    const summary = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId, args: [{ pipeline: 'retry', runDate: '2018-11-15', mode: 'daily' }],
    }));
    expect(summary.tasks[0]).toMatchObject({ id: 'flaky', state: 'succeeded', attempts: 2, stepId: 's-FAKE2' });
    const names = fake.calls.filter((c) => c.name === 'addStep').map((c) => (c.args[0] as { task: { attempt: number } }).task.attempt);
    expect(names).toEqual([1, 2]);
  });

  test('the pipeline\'s own budget goes with every wait for its steps; the summary has the cost section, on EMR too', async () => {
    const p = { ...plan('budgeted', [spark('a'), spark('b', ['a'])]), maxRunUsd: 0.5 };
    const fake = fakeActivities({ plans: { budgeted: p }, settings: { provider: 'emr' } });
    const summary = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: uniqueId('budgeted'), args: [{ pipeline: 'budgeted', runDate: '2018-11-15', mode: 'daily' }],
    }));
    expect(fake.calls.filter((c) => c.name === 'waitForStep').map((c) => c.args[0])).toEqual([
      { clusterId: 'j-FAKE1', stepId: 's-FAKE1', maxRunUsd: 0.5 }, { clusterId: 'j-FAKE1', stepId: 's-FAKE2', maxRunUsd: 0.5 }]);
    expect(summary.cost).toMatchObject({ provider: 'emr', currency: 'USD', pricesFrom: 'defaults', usage: { kind: 'emr', instances: [{ instanceType: 'm5.xlarge', count: 3 }] } });
    expect(summary.cost?.basis).toMatch(/^3 × m5\.xlarge for \d+ s at \$0\.192 \+ EMR \$0\.048 per instance-hour$/);
  });

  test('a run that needed no cluster still says what it cost: nothing', async () => {
    const p = plan('no-cluster', [{ id: 'input', dependsOn: [], kind: 'waitForInput', path: { daily: '{input}/x' }, timeoutMinutes: 1, pollSeconds: 1 }]);
    const fake = fakeActivities({ plans: { 'no-cluster': p } });
    const summary = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: uniqueId('no-cluster'), args: [{ pipeline: 'no-cluster', runDate: '2018-11-15', mode: 'daily' }],
    }));
    expect(summary.clusterId).toBeNull();
    expect(summary.cost).toMatchObject({ provider: 'local', estimatedUsd: 0, usage: { kind: 'local', wallSeconds: 0 } });
  });

  test('an unknown pipeline fails at once as invalid input, naming the known pipelines, and creates nothing', async () => {
    const fake = fakeActivities();
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: uniqueId('unknown'), args: [{ pipeline: 'nope', runDate: '2018-11-15', mode: 'daily' }],
    })));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('unknown pipeline "nope"; known pipelines: songs-etl, sparkify-reports');
    expect(fake.names()).toEqual(['resolvePipeline']);
  });

  test('a bad parameter fails at once as invalid input naming it', async () => {
    const fake = fakeActivities();
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(conn.client.workflow.execute(runPipeline, {
      taskQueue, workflowId: uniqueId('badparam'), args: [{ pipeline: 'songs-etl', runDate: '2018-11-15', mod: 'daily' } as never],
    })));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('unknown key "mod"');
    expect(fake.calls).toEqual([]);
  });

  test('a pipeline declared to run after another is started when that one succeeds, for the same date and mode', async () => {
    const fake = fakeActivities({ startDependants: true, plans: { 'sparkify-reports': plan('sparkify-reports', [spark('only')]) } });
    const date = '2018-11-17';
    const summary = await withWorker(conn, fake.activities, async (taskQueue) => {
      const s = await conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('upstream'), args: [{ runDate: date }] }) as PipelineSummary;
      const dependant = await conn.client.workflow.getHandle(`sparkify-reports-${date}`).result() as PipelineSummary;
      expect(dependant).toMatchObject({ pipeline: 'sparkify-reports', runDate: date, mode: 'daily' });
      return s;
    });
    expect(summary.dependantsStarted).toEqual([`sparkify-reports-${date}`]);
  });
});
