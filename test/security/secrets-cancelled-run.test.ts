// A run cancelled while its Spark step runs (real worker, local provider, real spark-submit),
// with AWS keys and a Temporal API key configured: neither its history (payloads decoded) nor
// anything the worker logged in this process contains them. Completed and failed runs are
// scanned the same way in test/e2e/songs-etl-local.test.ts.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SongsEtlStatus } from '../../workflows/shared';
import { localPipeline } from '../support/local-pipeline';
import { FAKE_SECRETS, historyText, leakedSecrets } from '../support/secrets-scan';
import { captureWorkerLogs } from '../support/worker-logs';
import { connectForTest } from '../support/temporal';

const logLines: string[] = [];
let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  // Capture everything the worker and its activities log in this process.
  captureWorkerLogs(logLines);
  conn = await connectForTest();
});
afterAll(async () => conn.close());

test('a run cancelled during its Spark step leaks no credential into history or logs', async () => {
  // The worker's own connection is the test's (the plain dev server has no TLS for an API
  // key); the key is in the config the activities are built from, which is what could leak.
  const { config, worker } = await localPipeline(conn.native, FAKE_SECRETS);
  expect(config.temporal.api_key).toBe(FAKE_SECRETS.EMRFLOW_TEMPORAL_API_KEY);
  const workflowId = `security-cancel-${Date.now()}`;
  const outcome = await worker.runUntil(async () => {
    const handle = await conn.client.workflow.start('songsEtl', {
      taskQueue: config.temporal.task_queue, workflowId, args: [{ mode: 'full' }],
    });
    let status: SongsEtlStatus;
    const deadline = Date.now() + 90_000;
    do {
      await new Promise((r) => setTimeout(r, 250));
      status = await handle.query<SongsEtlStatus>('status');
      if (Date.now() > deadline) throw new Error(`the step never started: ${JSON.stringify(status)}`);
    } while (status.stage !== 'waitForStep');
    await handle.cancel();
    return { clusterId: status.clusterId!, error: await handle.result().catch((e: unknown) => e) };
  });
  expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
  expect((outcome.error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

  const history = await historyText(conn.client, workflowId);
  // The scan sees inside payloads: the cluster id only ever travels in activity results.
  expect(history.includes(outcome.clusterId), 'decoded activity results').toBe(true);
  expect(history.includes('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED'), 'the run ended cancelled').toBe(true);
  expect(leakedSecrets(history)).toEqual([]);
  const logs = logLines.join('\n');
  expect(logs.includes(workflowId), 'the run was logged').toBe(true);
  expect(leakedSecrets(logs)).toEqual([]);
});
