// A Spark step that raises, in a lake an earlier run already published: the run fails naming
// the stage with the driver's stderr tail, its cluster is terminated, and the published tables
// are exactly as they were (same files, same row counts).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import type { SongsEtlSummary } from '../../workflows/shared';
import { parquetCount } from '../support/parquet';
import { connectForTest, temporalAddress } from '../support/temporal';
import { clustersOnDisk } from './helpers/local-clusters';
import { localRunEnv } from './helpers/local-run';

const TABLES = ['songplays', 'users', 'songs', 'artists', 'time'] as const;

/** Every file of the published tables with its size and mtime: what "intact" means. */
function snapshot(lake: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(lake, p)] = `${statSync(p).size}@${statSync(p).mtimeMs}`;
    }
  };
  for (const t of TABLES) walk(join(lake, t));
  return out;
}

test('a Spark step that raises fails the run naming the stage with the stderr tail, terminates the cluster and leaves the published tables intact', async () => {
  const conn = await connectForTest();
  const run = localRunEnv(temporalAddress());
  const queue = run.config.temporal.task_queue;
  try {
    const good = await createWorker({ connection: conn.native, config: run.config });
    const published = await good.runUntil(conn.client.workflow.execute('songsEtl', {
      taskQueue: queue, workflowId: `fault-publish-${Date.now()}`, args: [{ mode: 'full' }],
    })) as SongsEtlSummary;
    const before = snapshot(run.lake);
    expect(Object.keys(before).length).toBeGreaterThan(5);

    const failing = await createWorker({
      connection: conn.native, config: run.config, taskQueue: `${queue}-failing`,
      activities: createActivities(run.config, { jobScript: join(import.meta.dirname, '../activities/fixtures/fail.py') }),
    });
    const workflowId = `fault-step-fails-${Date.now()}`;
    const err = await failing.runUntil(conn.client.workflow.execute('songsEtl', {
      taskQueue: `${queue}-failing`, workflowId, args: [{ runDate: '2018-11-15' }],
    }).catch((e: unknown) => e));

    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('SparkStepFailed');
    expect(cause.message).toMatch(/^task etl, stage waitForStep: Spark step s-\S+ on local-\S+ failed: spark-submit exited with code 1\n/);
    expect(cause.message).toContain('RuntimeError: fixture exploded on purpose: bad record in song_data');
    expect(cause.message.match(/stderr \(tail\)/g)).toHaveLength(1);

    const mine = (await clustersOnDisk(run.stateDir)).filter((c) => c.owner === workflowId);
    expect(mine.map((c) => [c.state, c.steps.map((s) => s.running)])).toEqual([['TERMINATED', [false]]]);
    expect(snapshot(run.lake)).toEqual(before);
    for (const table of TABLES) expect(parquetCount(`${run.lake}/${table}/**/*.parquet`), table).toBe(published.rows[table]);
  } finally {
    await conn.close();
  }
}, 240_000);
