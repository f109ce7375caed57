// What an operator's terminal shows: the real `emrflow worker` process, its stdout and stderr
// captured whole, with credentials configured through the environment. Neither a failing run
// nor a failed connection prints them.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { FAKE_AWS_SECRETS, FAKE_SECRETS, leakedSecrets } from '../support/secrets-scan';
import { connectForTest, temporalAddress } from '../support/temporal';
import { webhookReceiver } from '../support/webhook-receiver';
import { testTempDir } from '../support/temp-dir';

function workerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), 'worker', '--no-sync-schedules'], {
    cwd: testTempDir('emrflow-log-worker-'),
    env: { ...process.env, EMRFLOW_CONFIG: '', EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function emptyInput(): string {
  const dir = testTempDir('emrflow-log-empty-');
  for (const sub of ['song_data', 'log_data']) mkdirSync(join(dir, sub));
  return dir;
}

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

test('a failing run on the emrflow worker process prints no credential and no webhook URL', async () => {
  const dir = testTempDir('emrflow-log-run-');
  const taskQueue = `test-${randomUUID()}`;
  // A live receiver: the failure message is really sent, with its URL in the worker's config.
  const rx = await webhookReceiver();
  const secrets = { ...FAKE_AWS_SECRETS, EMRFLOW_NOTIFY_WEBHOOK_URL: rx.url };
  const worker = workerProcess({
    ...secrets,
    EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue,
    EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
    // song_data/ and log_data/ without files: preflight passes, the Spark job fails, so the
    // step's failure and its stderr tail get logged.
    EMRFLOW_DATALAKE_INPUT_DATA: emptyInput(),
    EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
    EMRFLOW_LOCAL_STEP_POLL_SECONDS: '1',
    EMRFLOW_LOCAL_DRIVER_MEMORY: '1g',
  });
  try {
    const workflowId = `security-logs-${Date.now()}`;
    const err = await conn.client.workflow.execute('songsEtl', { taskQueue, workflowId, args: [{ mode: 'full' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // The terminal saw the run: the worker announced itself and logged the step's failure.
    await new Promise((r) => setTimeout(r, 500));
    expect(worker.output()).toContain(`worker polling task queue "${taskQueue}"`);
    expect(worker.output()).toContain(workflowId);
    expect(worker.output()).toMatch(/no song files/);
    expect(rx.delivered.map((m) => [m.outcome, m.workflowId])).toEqual([['failure', workflowId]]);
    expect(leakedSecrets(worker.output(), secrets)).toEqual([]);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await rx.close();
  }
  expect(leakedSecrets(worker.output(), secrets)).toEqual([]);
});

test('a worker whose Temporal API key is refused exits with an error that does not print the key', async () => {
  // An API key implies TLS, which the plain test server does not speak: the connection fails.
  const worker = workerProcess({ ...FAKE_SECRETS, EMRFLOW_TEMPORAL_TASK_QUEUE: `test-${randomUUID()}` });
  const code = await Promise.race([worker.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
  if (code === 'hung') worker.child.kill('SIGKILL');
  expect(code, worker.output()).toBe(1);
  expect(worker.output()).toMatch(/^emrflow: /m);
  expect(leakedSecrets(worker.output())).toEqual([]);
});
