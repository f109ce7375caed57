// `run --wait` on a day whose input is not there yet: the sensor's line names the file it waits
// for and until when; Ctrl-C says the run goes on and how to cancel it (exit 130), and with
// --cancel-on-exit cancels it instead. Real CLI process, real workflows, fake activities.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { createWorker } from '../../infra/worker/create-worker';
import { fakeActivities } from '../support/fake-activities';
import { connectForTest, temporalAddress, testConfig } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

/** Runs the CLI until its stderr matches `until`, then sends it Ctrl-C (SIGINT), as a terminal does. */
async function ctrlCWhen(args: string[], taskQueue: string, until: RegExp): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), ...args], {
    env: { ...process.env, EMRFLOW_CONFIG: '', EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (!until.test(stderr) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGINT');
  return { code: await exited, stderr };
}

const waiting = (date: string): RegExp =>
  new RegExp(`emrflow: task input: running \\(waiting for /data/in/log_data/2018/12/${date}-events\\.json until (\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2} UTC\\)\\n`);

test('Ctrl-C of run --wait leaves the run going and says how to cancel it; --cancel-on-exit cancels it', async () => {
  const config = testConfig();
  // The input never arrives: the sensor waits (its timeout is 360 minutes).
  const fake = fakeActivities({ inputAfterPolls: Number.MAX_SAFE_INTEGER, settings: { inputUri: '/data/in' } });
  const worker = await createWorker({ connection: conn.native, config, activities: fake.activities });
  await worker.runUntil(async () => {
    const left = await ctrlCWhen(['run', '--date', '2018-12-27', '--wait'], config.temporal.task_queue, waiting('2018-12-27'));
    const stays = conn.client.workflow.getHandle('songs-etl-2018-12-27');
    try {
      expect(left.stderr, left.stderr).toMatch(waiting('2018-12-27'));
      expect(left.code).toBe(130);
      expect(left.stderr.trim().split('\n').at(-1)).toMatch(
        /^emrflow: stopped following; run songs-etl-2018-12-27 goes on: http:\/\/\S+ \(to stop it: npx emrflow cancel songs-etl-2018-12-27\)$/);
      expect((await stays.describe()).status.name).toBe('RUNNING');
    } finally {
      await stays.terminate('test done');
    }

    const cancelled = await ctrlCWhen(['run', '--date', '2018-12-28', '--wait', '--cancel-on-exit'], config.temporal.task_queue, waiting('2018-12-28'));
    expect(cancelled.code, cancelled.stderr).toBe(130);
    expect(cancelled.stderr.trim().split('\n').at(-1)).toBe(
      'emrflow: cancellation of songs-etl-2018-12-28 requested (--cancel-on-exit): it stops its step and terminates its cluster; `npx emrflow cancel songs-etl-2018-12-28` waits until it has');
    const handle = conn.client.workflow.getHandle('songs-etl-2018-12-28');
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });
}, 120_000);
