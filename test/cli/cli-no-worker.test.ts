// With the server up and no worker on the task queue, a command that would start or wait on a
// run stops with one line naming the task queue and how to start a worker, instead of waiting
// forever; and it starts no run that nobody would pick up.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { emrflow } from '../support/cli-process';
import { connectForTest, temporalAddress } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

test('run --wait with no worker polling exits 1 within 30 s naming the task queue and the command to start a worker', async () => {
  const taskQueue = `no-worker-${randomUUID()}`;
  const r = await emrflow(['run', '--date', '2018-11-05', '--wait'], { EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue });
  expect(r.code, r.stderr).toBe(1);
  expect(r.seconds).toBeLessThan(30);
  const last = r.stderr.trim().split('\n').at(-1)!;
  expect(last).toContain(`no worker polls task queue "${taskQueue}"`);
  expect(last).toContain('npx emrflow worker');
  const started = [];
  for await (const e of conn.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) started.push(e);
  expect(started).toEqual([]);
});
