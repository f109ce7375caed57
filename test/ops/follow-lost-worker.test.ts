// `run --wait` keeps saying what it waits for: when no worker polls the run's task queue any
// more, the repeated line says so and names the command that starts one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { follow } from '../../infra/cli/follow-run';
import { connectForTest } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

test('following a run whose task queue has no worker says so every repeat', async () => {
  const taskQueue = `lost-worker-${randomUUID()}`;
  const workflowId = `lost-worker-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId, args: [{}] });
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { lines.push(String(chunk)); return true; });
  try {
    const following = follow(conn.client, workflowId, false, 2);
    const deadline = Date.now() + 30_000;
    while (!lines.some((l) => l.includes('no worker polls')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await handle.terminate('test done');
    await following;
  } finally {
    spy.mockRestore();
  }
  expect(lines.find((l) => l.includes('no worker polls'))).toBe(
    `emrflow: no worker polls task queue "${taskQueue}": the run waits until one does (start one with \`npx emrflow worker\`)\n`);
}, 60_000);
