// Cancelling a run the way an operator does: "Request Cancellation" → "Confirm" on the run's page
// in the Temporal web UI while its Spark step runs. The cluster must be terminated within 30 s
// and the run must end CANCELLED. Screenshots go to test-artifacts/browser/.
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createProvider } from '../../activities';
import type { SongsEtlStatus } from '../../workflows/shared';
import { keepScreenshot, launchBrowser } from '../support/browser';
import { localPipeline } from '../support/local-pipeline';
import { connectForTest } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
let browser: Browser;
const ui = inject('temporalUiUrl');

beforeAll(async () => {
  conn = await connectForTest();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await conn?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('Request Cancellation in the web UI terminates the cluster within 30 s; the run ends cancelled', async () => {
  const { config, worker } = await localPipeline(conn.native, {}, { jobScript: fileURLToPath(new URL('./fixtures/slow_step.py', import.meta.url)) });
  const workflowId = `ui-cancelled-${Date.now()}`;
  const handle = await conn.client.workflow.start('songsEtl', {
    taskQueue: config.temporal.task_queue, workflowId, args: [{ mode: 'full' }],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });

  const outcome = await worker.runUntil(async () => {
    const clusterId = await until('the step to run', async () => {
      const status = await handle.query<SongsEtlStatus>('status');
      return status.stage === 'waitForStep' ? status.clusterId : undefined;
    }, 90_000);

    await page.goto(`${ui}/namespaces/default/workflows/${workflowId}`);
    await page.getByRole('button', { name: 'Request Cancellation' }).first().click();
    await keepScreenshot(page, '5-cancel-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const clickedAt = Date.now();

    const error = await handle.result().then(() => undefined, (e: unknown) => e);
    const terminated = await until('the cluster to be terminated', async () => {
      const [cluster] = (await createProvider(config).listClusters({ all: true })).filter((c) => c.clusterId === clusterId);
      return cluster?.state === 'TERMINATED' ? Date.now() : undefined;
    }, 30_000);
    return { error, clusterId, secondsToTerminate: (terminated - clickedAt) / 1000 };
  });

  expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
  expect((outcome.error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(outcome.secondsToTerminate).toBeLessThan(30);
  expect((await handle.describe()).status.name).toBe('CANCELLED');

  await page.reload();
  await page.getByText('Canceled', { exact: false }).first().waitFor({ timeout: 30_000 });
  await keepScreenshot(page, '6-run-cancelled');
  await page.close();
});
