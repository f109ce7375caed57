import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createWorker } from '../../infra/worker/create-worker';
import { connectForTest, testConfig } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  conn = await connectForTest();
});
afterAll(async () => conn.close());

test('a worker built by emrflow completes a workflow on the real dev server', async () => {
  const config = testConfig();
  const worker = await createWorker({
    connection: conn.native,
    config,
    activities: {},
    workflowsPath: fileURLToPath(new URL('./fixtures/trivial-workflow.ts', import.meta.url)),
  });
  const result = await worker.runUntil(
    conn.client.workflow.execute('greet', {
      taskQueue: config.temporal.task_queue,
      workflowId: `smoke-${Date.now()}`,
      args: ['emrflow'],
    }),
  );
  expect(result).toBe('hello, emrflow');
});
