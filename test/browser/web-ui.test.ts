// The Temporal web UI as a user meets it: both schedules listed, a songs ETL run started with
// "Start Workflow" and input {}, completed by a worker with the local provider and real Spark,
// and the run's page showing its summary and the EmrClusterId search attribute; a run started
// as `emrflow run` does, with its summary, details and current details (tasks, rows per table,
// the cluster link); a failed run's reason and stderr tail.
// Screenshots of each page are kept under test-artifacts/browser/.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, onTestFinished, test } from 'vitest';
import { scheduleDefinitions, SONGS_ETL_DAILY, SWEEP_HOURLY } from '../../infra/schedules/definitions';
import { syncSchedules } from '../../infra/schedules/sync';
import { startRun } from '../../infra/cli/start-run';
import { loadPipelines } from '../../infra/pipelines/registry';
import { runMetadataFor } from '../../infra/run-metadata';
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
  if (pipeline) rmSync(pipeline.dir, { recursive: true, force: true });
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

/** The Markdown the run's User Metadata tab renders (each section is its own iframe). */
async function metadataSection(page: Page, id: 'summary' | 'details' | 'current-details'): Promise<string> {
  const body = page.frameLocator(`#user-metadata-${id}`).locator('body');
  await body.waitFor({ timeout: 30_000 });
  return body.innerText();
}

async function openUserMetadata(page: Page, workflowId: string, runId: string, expect: string): Promise<void> {
  await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/user-metadata`);
  await page.frameLocator('#user-metadata-current-details').getByText(expect).first().waitFor({ timeout: 30_000 });
}

/** Starts songs-etl for a date the way `emrflow run --date` does (same helper, same metadata). */
async function startLikeTheCli(config: typeof pipeline.config, workflowId: string) {
  const metadata = runMetadataFor(config, 'songs-etl', (await loadPipelines()).plan('songs-etl'), {
    runDate: '2018-11-15', mode: 'daily', startedBy: '`emrflow run`',
  });
  const write = process.stdout.write;
  process.stdout.write = () => true; // startRun prints its --json line; the test reads the handle instead
  try {
    await startRun(conn.client, config, {
      workflowType: 'songsEtl', workflowId, input: { runDate: '2018-11-15', mode: 'daily' }, metadata, json: true, startedLine: (u) => u,
    });
  } finally {
    process.stdout.write = write;
  }
  return conn.client.workflow.getHandle(workflowId);
}

test('a run started like `emrflow run`: its pipeline and date in the list, its summary, details and current details on its page', async () => {
  // A worker of its own: a worker runs once, and the Start Workflow test has run the shared one.
  // Current Details come from a query the worker answers (by replaying the closed run), so the
  // pages are read while it runs, as under `npm start`.
  const { config, worker, dir } = await localPipeline(conn.native);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const workflowId = `ui-metadata-${Date.now()}`;
  await worker.runUntil(async () => {
    const summary = await (await startLikeTheCli(config, workflowId)).result() as SongsEtlSummary;
    const { runId } = await conn.client.workflow.getHandle(workflowId).describe();

    // The list: UI 2.54.1 has no column for the static summary; the run's Pipeline and RunDate
    // search attributes are the columns a person adds to see the same there.
    const list = await browser.newPage({ viewport: { width: 1600, height: 500 } });
    await list.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`);
    await list.getByText(workflowId).first().waitFor({ timeout: 30_000 });
    await list.getByLabel('Configure Columns').click();
    await list.getByLabel('Add Pipeline column').click();
    await list.getByLabel('Add RunDate column').click();
    await list.getByLabel('Remove Run ID column').click();
    await list.getByLabel('Remove End column').click();
    await list.getByTestId('drawer-close-button').click();
    await list.getByText('Configure Workflows Table').waitFor({ state: 'hidden', timeout: 10_000 });
    await list.getByRole('columnheader', { name: 'RunDate' }).waitFor({ timeout: 10_000 });
    const row = await list.getByRole('row').filter({ hasText: workflowId }).innerText();
    await keepScreenshot(list, '5-workflow-list');
    expect(row).toContain('songs-etl');
    expect(row).toContain('2018-11-15');
    await list.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    await openUserMetadata(page, workflowId, runId, 'Succeeded');
    expect(await metadataSection(page, 'summary')).toContain('songs-etl · 2018-11-15 · daily · local');
    const details = await metadataSection(page, 'details');
    expect(details).toContain(config.datalake.input_data);
    expect(details).toContain(config.datalake.output_data);
    expect(details).toContain('Started by');
    const current = await metadataSection(page, 'current-details');
    await keepScreenshot(page, '6-run-details');
    expect(current).toContain(`Succeeded: songs-etl for 2018-11-15 (daily)`);
    expect(current).toMatch(/etl\s+spark\s+succeeded/);
    // Rows per table, as the run report counted them.
    expect(current).toMatch(new RegExp(`songplays\\s+${summary.rows.songplays}\\b`));
    expect(current).toMatch(/Rejected records: \d+/);
    expect(current).toMatch(/Billed time .*: \d+ s|Billed time .*: \d+ m/);
    // The cluster link points at the cluster's state directory (local provider).
    const href = await page.frameLocator('#user-metadata-current-details').getByRole('link', { name: `${config.local.state_dir}/clusters/${summary.clusterId}`, exact: true }).getAttribute('href');
    expect(href).toBe(`file://${config.local.state_dir}/clusters/${summary.clusterId}`);
    // The timeline's activity summaries.
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    await page.getByText('Spark: etl.py daily 2018-11-15').first().waitFor({ timeout: 30_000 });
    await page.getByText(`terminate ${summary.clusterId}`).first().waitFor({ timeout: 10_000 });
    await page.getByText(/create cluster: spark-submit/).first().waitFor({ timeout: 10_000 });
    await page.close();
  });
  // A real daily run with Spark, then the pages: minutes on a loaded 2-core machine.
}, 480_000);

test('a failed run shows its reason and the driver\'s stderr tail on its page', async () => {
  const failing = await localPipeline(conn.native, {}, { jobScript: fileURLToPath(new URL('./fixtures/failing_step.py', import.meta.url)) });
  onTestFinished(() => rmSync(failing.dir, { recursive: true, force: true }));
  const workflowId = `ui-failed-${Date.now()}`;
  await failing.worker.runUntil(async () => {
    const handle = await startLikeTheCli(failing.config, workflowId);
    await expect(handle.result()).rejects.toThrow();
    const { runId } = await handle.describe();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    await openUserMetadata(page, workflowId, runId, 'Failed');
    const current = await metadataSection(page, 'current-details');
    await keepScreenshot(page, '7-run-failed');
    expect(current).toMatch(/Reason: task etl, stage waitForStep: Spark step \S+ on \S+ failed: spark-submit exited with code 1/);
    expect(current).toContain('Driver stderr (tail)');
    expect(current).toContain("ValueError: emrflow-test: the day's events have no column 'ts'");
    expect(current).toMatch(/etl\s+spark\s+FAILED\s+\d+ s\s+s-\S+ FAILED\s+the reason above/);
    expect(current).toMatch(/audit\s+check\s+skipped\s+etl failed/);
    await page.close();
  });
  // A real daily run with Spark, then the pages: minutes on a loaded 2-core machine.
}, 480_000);
