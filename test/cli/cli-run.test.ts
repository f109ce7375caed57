// `emrflow run --wait --json` as scripts use it: stable JSON and exit codes, against the real
// dev server with a worker running the real workflows on fake activities.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { follow } from '../../infra/cli/follow-run';
import { emrflow as run } from '../support/cli-process';
import { repoRoot } from '../../infra/paths';
import { createWorker } from '../../infra/worker/create-worker';
import { fakeActivities, STDERR_TAIL } from '../support/fake-activities';
import { testTempDir } from '../support/temp-dir';
import { connectForTest, temporalAddress, testConfig } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  conn = await connectForTest();
});
afterAll(async () => conn.close());

function emrflow(args: string[], taskQueue: string) {
  return run(args, { EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue });
}

test('run --wait --json: exit 0 and one JSON object with the summary', async () => {
  const config = testConfig();
  const fake = fakeActivities();
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  const r = await worker.runUntil(emrflow(['run', '--date', '2018-11-15', '--wait', '--json'], config.temporal.task_queue));
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(Object.keys(out).sort()).toEqual(['result', 'runId', 'status', 'url', 'workflowId']);
  expect(out.workflowId).toBe('songs-etl-2018-11-15');
  expect(out.status).toBe('COMPLETED');
  expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/songs-etl-2018-11-15\//);
  expect(out.result).toMatchObject({ runDate: '2018-11-15', mode: 'daily', clusterId: 'j-FAKE1' });

});

test('run --wait: a failed step exits 1 with the failure and the stderr tail', async () => {
  const config = testConfig();
  const fake = fakeActivities({ step: { fails: 'Step failed with exitCode 1', stderrTail: STDERR_TAIL } });
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  const r = await worker.runUntil(emrflow(['run', '--date', '2018-11-16', '--wait', '--json'], config.temporal.task_queue));
  expect(r.code).toBe(1);
  const out = JSON.parse(r.stdout) as Record<string, string>;
  expect(out.status).toBe('FAILED');
  expect(out.failure).toContain('stage waitForStep');
  expect(out.failure).toContain('AnalysisException: [UNRESOLVED_COLUMN] ts');
  expect(fake.names()).toContain('terminateCluster');
});

test('run for a date that is already running: one line, exit 1, one run', async () => {
  const config = testConfig();
  const fake = fakeActivities({ holdStep: true });
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  await worker.runUntil(async () => {
    const first = await emrflow(['run', '--date', '2018-11-17', '--json'], config.temporal.task_queue);
    expect(first.code, first.stderr).toBe(0);
    await fake.waiting;
    const second = await emrflow(['run', '--date', '2018-11-17'], config.temporal.task_queue);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n').at(-1)).toMatch(/^emrflow: a run with workflow id songs-etl-2018-11-17 is already running: http/);
    fake.release();
    await conn.client.workflow.getHandle('songs-etl-2018-11-17').result();
  });
  expect(fake.names().filter((n) => n === 'createCluster')).toHaveLength(1);
});

test('run --wait shows the step state waitForStep heartbeats while it waits, not only when it ends', async () => {
  const config = testConfig();
  const fake = fakeActivities({ holdStep: true });
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  await worker.runUntil(async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), 'run', '--date', '2018-11-18', '--wait'], {
      cwd: testTempDir('emrflow-cli-run-'),
      env: { ...process.env, EMRFLOW_CONFIG: '', EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: config.temporal.task_queue },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await fake.waiting;
    // The fake step heartbeats RUNNING while held; the workflow's own status still says PENDING.
    const deadline = Date.now() + 30_000;
    while (!/stage waitForStep, cluster j-FAKE1, step s-FAKE1 RUNNING/.test(output) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    fake.release();
    expect(await exited, output).toBe(0);
    expect(output).toMatch(/stage waitForStep, cluster j-FAKE1, step s-FAKE1 RUNNING \(\d+ s\)/);
  });
});

test('following a long wait repeats the stage line with the time waited, not only when it changes', async () => {
  const config = testConfig();
  const fake = fakeActivities({ holdStep: true });
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  const said: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { said.push(String(chunk)); return true; });
  try {
    await worker.runUntil(async () => {
      const workflowId = 'songs-etl-2018-11-19';
      await conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [{ runDate: '2018-11-19' }] });
      await fake.waiting;
      const following = follow(conn.client, workflowId, false, 2);
      await new Promise((r) => setTimeout(r, 7_000));
      fake.release();
      await following;
    });
  } finally {
    spy.mockRestore();
  }
  const waiting = said.filter((l) => l.includes('stage waitForStep, cluster j-FAKE1, step s-FAKE1 RUNNING'));
  expect(waiting.length, said.join('')).toBeGreaterThanOrEqual(3);
  const seconds = waiting.map((l) => Number(/\((\d+) s\)/.exec(l)?.[1]));
  expect(seconds.at(-1)! - seconds[0]!).toBeGreaterThanOrEqual(4);
});
