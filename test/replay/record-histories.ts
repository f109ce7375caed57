// Records the histories the replay test (replay.test.ts) replays: every workflow type, on its
// happy path, a failure, a cancel and a worker that dies mid-run, with fake activities on a
// throwaway dev server. Run it after a deliberate change to workflow code, and commit the files:
//   npx tsx test/replay/record-histories.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporalCli, workflowsEntry } from '../../infra/paths';
import { runPipeline, songsEtl, terminateEmrClusters } from '../../workflows';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { deadlineWatchId } from '../../workflows/deadline';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { addDays } from '../../infra/schedules/zoned-time';
import { fakeActivities, type FakeOptions } from '../support/fake-activities';

const OUT = join(import.meta.dirname, 'histories');
const env = await TestWorkflowEnvironment.createLocal({
  server: {
    executable: { type: 'existing-path', path: temporalCli },
    searchAttributes: Object.keys(SEARCH_ATTRIBUTES).map((name) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)),
    ip: '127.0.0.1',
  },
});
const client = env.client;
let n = 0;

async function worker(options: FakeOptions) {
  const fake = fakeActivities(options);
  const taskQueue = `record-${(n += 1)}`;
  const w = await Worker.create({
    connection: env.nativeConnection, taskQueue, workflowsPath: workflowsEntry, activities: fake.activities,
    maxHeartbeatThrottleInterval: '100 ms', defaultHeartbeatThrottleInterval: '100 ms',
  });
  return { fake, w, taskQueue };
}

async function save(name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // The history as protobuf bytes: the SDK's JSON converters (historyToJSON/historyFromJSON) fail
  // in this install ("type must be a Type": @temporalio/common's protobufjs 8 against
  // @temporalio/proto's 7), while the bytes decode back to exactly what the server sent.
  const bytes = proto.temporal.api.history.v1.History.encode(history).finish();
  const types = (history.events ?? []).map((e) => e.eventType);
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify({ workflowId, events: types.length, format: 'temporal.api.history.v1.History, protobuf, base64', history: Buffer.from(bytes).toString('base64') }, null, 2)}\n`);
  process.stderr.write(`recorded ${name} (${types.length} events)\n`);
}

/** Runs `start` on a worker with these fakes until the run closes (failures are expected in some). */
async function record(name: string, options: FakeOptions, start: (taskQueue: string, workflowId: string) => Promise<unknown>): Promise<void> {
  const { w, taskQueue } = await worker(options);
  const workflowId = `replay-${name}`;
  await w.runUntil(start(taskQueue, workflowId).catch(() => undefined));
  await save(name, workflowId);
}

const daily = { runDate: '2018-11-15', mode: 'daily' as const };
await record('songs-etl-happy', {}, (taskQueue, workflowId) => client.workflow.execute(songsEtl, { taskQueue, workflowId, args: [daily] }));
await record('songs-etl-step-failure', { step: { fails: 'Step failed with exitCode 1' } }, (taskQueue, workflowId) =>
  client.workflow.execute(songsEtl, { taskQueue, workflowId, args: [daily] }));
await record('songs-etl-data-quality', { report: (r) => ({ ...r, rejected: { total: 30, by_reason: { malformed_json: 30 } } }) }, (taskQueue, workflowId) =>
  client.workflow.execute(songsEtl, { taskQueue, workflowId, args: [daily] }));
await record('songs-etl-web-ui-empty-input', {}, (taskQueue, workflowId) => client.workflow.execute(songsEtl, { taskQueue, workflowId, args: [{}] }));
{
  // Cancelled while the step runs: the step is cancelled and the cluster terminated.
  const { fake, w, taskQueue } = await worker({ holdStep: true });
  const workflowId = 'replay-songs-etl-cancel';
  await w.runUntil(async () => {
    const handle = await client.workflow.start(songsEtl, { taskQueue, workflowId, args: [daily] });
    await fake.waiting;
    await handle.cancel();
    await handle.result().catch(() => undefined);
  });
  await save('songs-etl-cancel', workflowId);
}
{
  // The worker dies while the step runs; another worker finishes the run.
  const first = await worker({ holdStep: true });
  const workflowId = 'replay-songs-etl-worker-kill';
  const handle = await client.workflow.start(songsEtl, { taskQueue: first.taskQueue, workflowId, args: [daily] });
  await first.w.runUntil(first.fake.waiting);
  const second = fakeActivities({});
  const w2 = await Worker.create({ connection: env.nativeConnection, taskQueue: first.taskQueue, workflowsPath: workflowsEntry, activities: second.activities });
  await w2.runUntil(handle.result());
  await save('songs-etl-worker-kill', workflowId);
}
await record('sparkify-reports-happy', { stepMs: 200 }, (taskQueue, workflowId) =>
  client.workflow.execute(runPipeline, { taskQueue, workflowId, args: [{ pipeline: 'sparkify-reports', ...daily }] }));
await record('sparkify-reports-task-failure', { failTasks: { 'top-songs': { message: 'boom' } }, stepMs: 100 }, (taskQueue, workflowId) =>
  client.workflow.execute(runPipeline, { taskQueue, workflowId, args: [{ pipeline: 'sparkify-reports', ...daily }] }));
await record('run-pipeline-unknown', {}, (taskQueue, workflowId) =>
  client.workflow.execute(runPipeline, { taskQueue, workflowId, args: [{ pipeline: 'nope', ...daily }] }));
await record('songs-etl-notify-failure', { step: { fails: 'Step failed with exitCode 1' }, settings: { notifyOn: ['failure'] } }, (taskQueue, workflowId) =>
  client.workflow.execute(songsEtl, { taskQueue, workflowId, args: [daily] }));
{
  // A pipeline with a deadline 8 s away whose step is held past it: the run starts and signals
  // its date's watcher, which sends deadline_missed, then the late success.
  const plans: Record<string, PipelinePlan> = {};
  const { fake, w, taskQueue } = await worker({ holdStep: true, plans, settings: { notifyOn: ['deadline_missed'] } });
  const due = new Date(Date.now() + 8000).toISOString();
  const runDate = addDays(due.slice(0, 10), -1);
  plans['deadline-demo'] = {
    name: 'deadline-demo', description: 'd', file: 'pipelines/deadline-demo.ts', dependants: [], after: [], params: {}, stepConcurrency: 1,
    tasks: [{ id: 'etl', dependsOn: [], kind: 'spark', script: 'etl.py', args: [], retries: 0, report: false }],
    deadline: { time: due.slice(11, 19), timeZone: 'UTC' },
  };
  const workflowId = 'replay-run-pipeline-deadline';
  await w.runUntil(async () => {
    const handle = await client.workflow.start(runPipeline, { taskQueue, workflowId, args: [{ pipeline: 'deadline-demo', runDate, mode: 'daily' }] });
    while (!fake.calls.some((c) => c.name === 'notify')) await new Promise((r) => setTimeout(r, 200));
    fake.release();
    await handle.result();
    await client.workflow.getHandle(deadlineWatchId('deadline-demo', runDate)).result();
  });
  await save('run-pipeline-deadline', workflowId);
  await save('deadline-watch-missed-then-succeeded', deadlineWatchId('deadline-demo', runDate));
}
const stray = { clusterId: 'j-STRAY', name: 'emrflow-gone', state: 'WAITING', createdAt: '2018-11-15T00:00:00Z', ageMinutes: 90, managed: true, ownerWorkflowId: 'gone', terminationProtected: false, tags: {} };
await record('sweeper-happy', { clusters: [stray], ownerStatuses: { gone: 'COMPLETED' } }, (taskQueue, workflowId) =>
  client.workflow.execute(terminateEmrClusters, { taskQueue, workflowId, args: [{}] }));
await record('sweeper-bad-input', {}, (taskQueue, workflowId) =>
  client.workflow.execute(terminateEmrClusters, { taskQueue, workflowId, args: [{ olderThanMinutes: -1 }] }));
// The lake lock: started by the runs above (one per lake and task queue), still open: its history so far.
for await (const lock of client.workflow.list({ query: "WorkflowType = 'lakeLock'" })) {
  const name = 'lake-lock-granted-released';
  const history = await client.workflow.getHandle(lock.workflowId).fetchHistory();
  if ((history.events?.length ?? 0) < 10) continue;
  await save(name, lock.workflowId);
  break;
}
await env.teardown();
