// Guarantee 3, one writer per lake: runs queue on the lake's lock workflow and get it in order;
// a waiter's status names the holder; a holder whose run was terminated (no release) frees the
// lake; a cancelled waiter leaves the queue. Real dev server, real lock activities.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lakeLockWorkflowId } from '../../activities/publish/lake-key';
import { createLockActivities } from '../../activities/publish/lock-activities';
import { lakeLockStateQuery, type LakeLockView } from '../../workflows/lake-lock-shared';
import { uniqueId, type Conn } from './fixtures/harness';
import { finishSignal, writerStatusQuery, type lakeWriter, type quickWriter, type WriterStatus } from './fixtures/lake-lock-workflows';
import { connectForTest, testConfig } from '../support/temporal';

let conn: Conn;
let worker: Worker;
let running: Promise<void>;
const taskQueue = testConfig().temporal.task_queue;

beforeAll(async () => {
  conn = await connectForTest();
  worker = await Worker.create({
    connection: conn.native, taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/lake-lock-workflows.ts', import.meta.url)),
    // Check holders every second so a terminated holder is released quickly; continue as new
    // after 40 events (a few seconds of holding) so every test also crosses continue-as-new.
    activities: createLockActivities({ lockCheckSeconds: 1, lockMaxHistory: 40 }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await conn?.close();
});

const startWriter = (lake: string, name: string) =>
  conn.client.workflow.start<typeof lakeWriter>('lakeWriter', { taskQueue, workflowId: uniqueId(name), args: [lake] });

async function eventually<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
}

const status = (h: WorkflowHandle) => () => h.query(writerStatusQuery);
const phase = (h: WorkflowHandle, p: WriterStatus['phase']) =>
  eventually(`${h.workflowId} ${p}`, status(h), (s) => s.phase === p);
const lockView = (lake: string) => () => conn.client.workflow.getHandle(lakeLockWorkflowId(lake)).query(lakeLockStateQuery);

it('grants the lake in request order; a waiter sees who holds it', async () => {
  const lake = `s3://lake-lock-test/${uniqueId('order')}/`;
  const a = await startWriter(lake, 'a');
  await phase(a, 'holding');
  const b = await startWriter(lake, 'b');
  expect(await phase(b, 'waiting')).toEqual({ phase: 'waiting', heldBy: a.workflowId });
  const c = await startWriter(lake, 'c');
  await phase(c, 'waiting');
  // Spelled differently, same lake: same lock.
  expect(await lockView(lake.replace(/\/$/, ''))()).toEqual<LakeLockView>({
    lake: lake.replace(/\/$/, ''), holderWorkflowId: a.workflowId, waitingWorkflowIds: [b.workflowId, c.workflowId],
  });

  await a.signal(finishSignal);
  await a.result();
  await phase(b, 'holding');
  expect(await eventually('c told of b', status(c), (s) => s.heldBy === b.workflowId)).toEqual({ phase: 'waiting', heldBy: b.workflowId });
  await b.signal(finishSignal);
  await phase(c, 'holding');
  await c.signal(finishSignal);
  await c.result();
});

it('a holder terminated without releasing frees the lake for the next run', async () => {
  const lake = `s3://lake-lock-test/${uniqueId('dead')}`;
  const a = await startWriter(lake, 'holder');
  await phase(a, 'holding');
  const b = await startWriter(lake, 'next');
  await phase(b, 'waiting');
  await a.terminate('the worker running it was lost for good');
  await phase(b, 'holding');
  await b.signal(finishSignal);
  await b.result();
});

it('a cancelled waiter leaves the queue and the one behind it gets the lake', async () => {
  const lake = `/tmp/lake-lock-test/${uniqueId('cancel')}`;
  const a = await startWriter(lake, 'holder');
  await phase(a, 'holding');
  const b = await startWriter(lake, 'cancelled');
  await phase(b, 'waiting');
  const c = await startWriter(lake, 'behind');
  await phase(c, 'waiting');
  await b.cancel();
  await expect(b.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  await eventually('b gone from the queue', lockView(lake), (v) => v.waitingWorkflowIds.join() === c.workflowId);
  await a.signal(finishSignal);
  await phase(c, 'holding');
  await c.signal(finishSignal);
  await c.result();
});

it('a waiter terminated while it waits is skipped when its turn comes', async () => {
  const lake = `s3://lake-lock-test/${uniqueId('dead-waiter')}`;
  const a = await startWriter(lake, 'holder');
  await phase(a, 'holding');
  const b = await startWriter(lake, 'dead-waiter');
  await phase(b, 'waiting');
  const c = await startWriter(lake, 'behind');
  await phase(c, 'waiting');
  await b.terminate('killed while waiting');
  await a.signal(finishSignal);
  await phase(c, 'holding');
  await c.signal(finishSignal);
  await c.result();
});

it('the lock continues as new while a run holds it, keeping holder and queue', async () => {
  const lake = `s3://lake-lock-test/${uniqueId('long')}`;
  const a = await startWriter(lake, 'long-holder');
  await phase(a, 'holding');
  const b = await startWriter(lake, 'long-waiter');
  await phase(b, 'waiting');
  const lock = conn.client.workflow.getHandle(lakeLockWorkflowId(lake));
  const firstRun = (await lock.describe()).runId;
  await eventually('the lock continued as new', async () => (await lock.describe()).runId, (id) => id !== firstRun);
  expect(await lockView(lake)()).toMatchObject({ holderWorkflowId: a.workflowId, waitingWorkflowIds: [b.workflowId] });
  await a.signal(finishSignal);
  await phase(b, 'holding');
  await b.signal(finishSignal);
  await b.result();
});

it('measures what the lock adds to an uncontended run (reported, not asserted)', async ({ annotate }) => {
  const lake = `s3://lake-lock-test/${uniqueId('cost')}`;
  const timeRun = async (locked: boolean) => {
    const started = performance.now();
    await conn.client.workflow.execute<typeof quickWriter>('quickWriter', { taskQueue, workflowId: uniqueId('quick'), args: [lake, locked] });
    return performance.now() - started;
  };
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const plain: number[] = [];
  const locked: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push(await timeRun(false));
    locked.push(await timeRun(true));
  }
  const line = `uncontended lake lock: run ${median(plain).toFixed(0)} ms without, ${median(locked).toFixed(0)} ms with (acquire + release ≈ ${(median(locked) - median(plain)).toFixed(0)} ms, median of 5)`;
  process.stderr.write(`${line}\n`);
  await annotate(line);
});
