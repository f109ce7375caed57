// The Temporal web UI as a user meets it: both schedules listed, a songs ETL run started with
// "Start Workflow" and input {}, completed by a worker with the local provider and real Spark,
// and the run's page showing its summary and the EmrClusterId search attribute.
// Screenshots of each page are kept under test-artifacts/browser/.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { scheduleDefinitions, SONGS_ETL_DAILY, SWEEP_HOURLY } from '../../infra/schedules/definitions';
import { syncSchedules } from '../../infra/schedules/sync';
import type { SongsEtlSummary } from '../../workflows/shared';
import { keepScreenshot, launchBrowser } from '../support/browser';
import { localPipeline, type LocalPipeline } from '../support/local-pipeline';
import { connectForTest } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
let browser: Browser;
let pipeline: LocalPipeline;
const ui = inject('temporalUiUrl');

beforeAll(async () => {
  conn = await connectForTest();
  browser = await launchBrowser();
  pipeline = await localPipeline(conn.native);
});
afterAll(async () => {
  await browser?.close();
  await conn?.close();
});

test('the Schedules page lists both schedules', async () => {
  await syncSchedules(conn.client, scheduleDefinitions(pipeline.config));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${ui}/namespaces/default/schedules`);
  await page.getByText(SONGS_ETL_DAILY, { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.getByText(SWEEP_HOURLY, { exact: true }).first().waitFor({ timeout: 30_000 });
  await keepScreenshot(page, '1-schedules');
  await page.close();
});

test('Start Workflow with input {} runs the songs ETL to completion; the run page shows the result', async () => {
  const { config, worker } = pipeline;
  const workflowId = `ui-started-${Date.now()}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The worker polls before the form is filled, as it does under `npm start`.
  const summary = await worker.runUntil(async () => {
    await page.goto(`${ui}/namespaces/default/workflows/start-workflow`);
    await page.locator('#workflowId').fill(workflowId);
    await page.locator('#taskQueue').fill(config.temporal.task_queue);
    await page.locator('#workflowType').fill('songsEtl');
    await page.locator('[aria-label="Data"] .cm-content, [aria-label="Data"][contenteditable]').first().click();
    await page.keyboard.type('{}');
    await keepScreenshot(page, '2-start-workflow');
    await page.getByTestId('start-workflow-button').click();
    await page.getByRole('link', { name: 'Workflow started successfully' }).waitFor({ timeout: 30_000 });
    return (await conn.client.workflow.getHandle(workflowId).result()) as SongsEtlSummary;
  });
  expect(summary.mode).toBe('full');
  expect(summary.rows.songplays).toBeGreaterThan(0);

  const { runId } = await conn.client.workflow.getHandle(workflowId).describe();
  await page.goto(`${ui}/namespaces/default/workflows/${workflowId}/${runId}/history`);
  await page.getByText('Completed').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500);
  const text = await page.locator('body').innerText();
  await keepScreenshot(page, '3-run-completed');
  // The result panel shows the summary.
  expect(text).toMatch(/Result[\s\S]*"clusterId": "local-/);
  expect(text).toContain(`"stepId": "${summary.stepId}"`);

  await page.getByText('Search Attributes', { exact: true }).first().click();
  await page.getByText('EmrClusterId').first().waitFor({ timeout: 10_000 });
  const attributes = await page.locator('body').innerText();
  await keepScreenshot(page, '4-search-attributes');
  expect(attributes).toMatch(new RegExp(`EmrClusterId[\\s\\S]{0,80}${summary.clusterId}`));
  await page.close();
  // A real full run with Spark, then its publish: well over the default 120 s on a loaded 2-core machine.
}, 300_000);
