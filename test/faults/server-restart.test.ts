// The Temporal dev server is stopped in the middle of a run (while the Spark step runs) and
// started again on the same database file: the run picks up where it was and completes. A dev
// server of its own (not the suite's shared one), on free ports, persisted to SQLite.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ensureDevServer, type DevServer } from '../../infra/server/dev-server';
import { createWorker } from '../../infra/worker/create-worker';
import type { SongsEtlStatus, SongsEtlSummary } from '../../workflows/shared';
import { freePort } from '../support/free-port';
import { TINY_DATASET } from '../support/tiny-dataset';
import { clustersOnDisk } from './helpers/local-clusters';
import { localRunEnv } from './helpers/local-run';

test('the dev server stopped while the step runs and restarted on the same database: the run completes', async () => {
  const address = `127.0.0.1:${await freePort()}`;
  const run = localRunEnv(address, { EMRFLOW_TEMPORAL_UI_PORT: String(await freePort()) });
  const log: string[] = [];
  const pipe = (c: import('node:child_process').ChildProcess) => {
    c.stdout?.on('data', (d) => log.push(String(d)));
    c.stderr?.on('data', (d) => log.push(String(d)));
  };
  let server: DevServer = await ensureDevServer(run.config, (l) => log.push(l), pipe);
  expect(server.reused).toBe(false);
  const client = new Client({ connection: await Connection.connect({ address }) });
  const native = await NativeConnection.connect({ address });
  try {
    const worker = await createWorker({ connection: native, config: run.config });
    const workflowId = `fault-server-restart-${Date.now()}`;
    const summary = await worker.runUntil(async () => {
      const handle = await client.workflow.start('songsEtl', {
        taskQueue: run.config.temporal.task_queue, workflowId, args: [{ mode: 'full' }],
      });
      for (;;) {
        const s = await handle.query<SongsEtlStatus>('status');
        if (s.stage === 'waitForStep') break;
        expect(s.stage).not.toBe('done');
        await new Promise((r) => setTimeout(r, 250));
      }
      await server.stop();
      await new Promise((r) => setTimeout(r, 3000));
      expect(existsSync(join(run.stateDir, 'temporal.db'))).toBe(true);
      server = await ensureDevServer(run.config, (l) => log.push(l), pipe);
      expect(server.reused, 'a new server process on the same database').toBe(false);
      return await handle.result() as SongsEtlSummary;
    });
    expect(summary.rows.songplays).toBe(TINY_DATASET.nextSongPlays);
    const clusters = await clustersOnDisk(run.stateDir);
    expect(clusters.map((c) => [c.clusterId, c.state, c.steps.length])).toEqual([[summary.clusterId, 'TERMINATED', 1]]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- server log ---\n${log.join('').slice(-3000)}`, { cause: e });
  } finally {
    await client.connection.close();
    await native.close();
    await server.stop();
  }
}, 240_000);
