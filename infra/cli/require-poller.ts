// "started …" and then nothing, forever, is what a run looks like when no worker polls its task
// queue: Temporal keeps the run waiting for one. Every command that starts or waits on a run
// asks the server first (DescribeTaskQueue's pollers) and stops with one line naming the task
// queue and how to start a worker.
import type { Client } from '@temporalio/client';
import type { EmrflowConfig } from '../config';

/**
 * A poller stays in DescribeTaskQueue's answer for minutes after its worker is gone; a live one
 * renews its long poll at least every minute or so.
 */
const LIVE_WITHIN_MS = 90_000;

/** Worker identities that polled the task queue's workflow tasks recently. */
export async function livePollers(service: Client['workflowService'], namespace: string, taskQueue: string): Promise<string[]> {
  const r = await service.describeTaskQueue({
    namespace,
    // TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW (the proto package is CommonJS: no named ESM import).
    taskQueue: { name: taskQueue, kind: 1 },
    taskQueueType: 1,
  });
  const now = Date.now();
  return (r.pollers ?? [])
    .filter((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return seconds === 0 || now - seconds * 1000 < LIVE_WITHIN_MS;
    })
    .map((p) => p.identity ?? '?');
}

export class NoWorkerError extends Error {}

/**
 * Resolves once a worker polls the configured task queue. A worker that has just been started
 * (`npm run dev` in another terminal) gets `graceSeconds` to send its first poll.
 */
export async function requirePoller(client: Client, config: EmrflowConfig, graceSeconds = 10): Promise<void> {
  const { namespace, task_queue: taskQueue, address } = config.temporal;
  const deadline = Date.now() + graceSeconds * 1000;
  for (;;) {
    if ((await livePollers(client.workflowService, namespace, taskQueue)).length > 0) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new NoWorkerError(
    `no worker polls task queue "${taskQueue}" (namespace ${namespace} on ${address}); start one with \`npx emrflow worker\` (or \`npm run dev\` for server and worker), with the same dl.cfg`,
  );
}
