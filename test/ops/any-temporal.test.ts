// Any Temporal server, not only the embedded one: the worker creates emrflow's custom search
// attributes on a server that lacks them (or says in one line how to create them where it may
// not), printed links follow [temporal] web_ui_url, and TLS takes a private CA and a server name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../infra/config';
import { temporalCli } from '../../infra/paths';
import { tlsOptions } from '../../infra/worker/connect';
import { createWorker } from '../../infra/worker/create-worker';
import { ensureSearchAttributes, MissingSearchAttributes } from '../../infra/worker/ensure-search-attributes';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { cliWorker } from '../faults/helpers/worker-process';
import { emrflow } from '../support/cli-process';
import { fakeActivities } from '../support/fake-activities';
import { connectForTest, temporalAddress, testConfig } from '../support/temporal';

let bare: TestWorkflowEnvironment;
beforeAll(async () => {
  // A second server, started without emrflow's search attributes (like a fresh self-hosted one).
  bare = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCli }, ip: '127.0.0.1' } });
}, 120_000);
afterAll(async () => bare?.teardown());

const customOn = async (env: TestWorkflowEnvironment) =>
  Object.keys((await env.connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {});

test('the worker creates the missing custom search attributes at start-up; the next start finds them', async () => {
  expect(await customOn(bare)).not.toContain('RunDate');
  const worker = cliWorker({ EMRFLOW_TEMPORAL_ADDRESS: bare.address, EMRFLOW_TEMPORAL_TASK_QUEUE: 'attrs' });
  try {
    const deadline = Date.now() + 90_000;
    while (!worker.output().includes('worker polling') && worker.child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 300));
    expect(worker.output()).toContain(`created the custom search attributes ${Object.keys(SEARCH_ATTRIBUTES).join(', ')} on namespace default`);
    expect(await customOn(bare)).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
  } finally {
    await worker.stop();
  }
  // A second start finds them and says nothing about them.
  const config = loadConfig({ env: { EMRFLOW_TEMPORAL_ADDRESS: bare.address }, path: undefined }).config;
  const lines: string[] = [];
  expect(await ensureSearchAttributes(bare.connection.operatorService as never, config, (l) => lines.push(l))).toEqual({ created: [] });
  expect(lines).toEqual([]);
}, 150_000);

test('where the worker may not create them: one line naming the missing attributes and the command', async () => {
  const config = loadConfig({ env: { EMRFLOW_TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', EMRFLOW_TEMPORAL_NAMESPACE: 'my-ns.a1b2c' }, path: undefined }).config;
  const operator = {
    listSearchAttributes: async () => ({ customAttributes: { RunDate: 2, Pipeline: 2 } }),
    addSearchAttributes: async () => { throw new Error('7 PERMISSION_DENIED: Request unauthorized.'); },
  };
  const err = await ensureSearchAttributes(operator as never, config, () => {}).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MissingSearchAttributes);
  const message = (err as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toBe('namespace my-ns.a1b2c lacks the custom search attributes EmrClusterId, EmrStepId and this worker may not create them (7 PERMISSION_DENIED: Request unauthorized.); create them once: tcld namespace search-attributes add --namespace my-ns.a1b2c --search-attribute "EmrClusterId=Keyword" --search-attribute "EmrStepId=Keyword"');
});

test('every printed link uses [temporal] web_ui_url', async () => {
  const conn = await connectForTest();
  try {
    const config = testConfig();
    const fake = fakeActivities();
    const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
    const r = await worker.runUntil(emrflow(['run', '--date', '2018-10-03', '--wait', '--json'], {
      EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: config.temporal.task_queue,
      EMRFLOW_TEMPORAL_WEB_UI_URL: 'https://cloud.temporal.io/',
    }));
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { url: string }).url).toMatch(/^https:\/\/cloud\.temporal\.io\/namespaces\/default\/workflows\/songs-etl-2018-10-03\/[0-9a-f-]+$/);
  } finally {
    await conn.close();
  }
});

test('TLS with a private CA and a server name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-tls-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const { config } = loadConfig({
      env: { EMRFLOW_TEMPORAL_TLS: 'true', EMRFLOW_TEMPORAL_TLS_CA_PATH: join(dir, 'ca.pem'), EMRFLOW_TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' },
      path: undefined,
    });
    expect(tlsOptions(config.temporal)).toEqual({ serverRootCACertificate: Buffer.from('CA'), serverNameOverride: 'temporal.internal' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
