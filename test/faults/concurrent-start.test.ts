// Two starts for the same date at the same moment, from two `emrflow run` processes and from
// two API clients: one run, one cluster. The run is held at staging until both starts are in.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createWorker } from '../../infra/worker/create-worker';
import { songsEtlWorkflowId, type SongsEtlSummary } from '../../workflows/shared';
import { connectForTest, temporalAddress } from '../support/temporal';
import { emrflow } from '../support/cli-process';
import { clustersOnDisk } from './helpers/local-clusters';
import { addDayLogs, localRunEnv } from './helpers/local-run';

// Dates no other test file uses: the shared server allows one open run per workflow id.
test('two concurrent starts for the same date, from the CLI and from clients, make one run and one cluster', async () => {
  const conn = await connectForTest();
  const run = localRunEnv(temporalAddress());
  addDayLogs(run, ['2018-11-27', '2018-11-28']);
  let open!: () => void;
  const starts = new Promise<void>((r) => { open = r; });
  const real = createActivities(run.config, { jobScript: join(import.meta.dirname, 'fixtures', 'sleepy_job.py') });
  // The run may not finish before the second start arrives: that would be a legitimate re-run.
  const activities = { ...real, stageJob: async () => { Context.current().heartbeat(); await starts; return real.stageJob(); } };
  const worker = await createWorker({ connection: conn.native, config: run.config, activities });
  try {
    await worker.runUntil(async () => {
      const cli = await Promise.all([1, 2].map(() => emrflow(['run', '--date', '2018-11-27', '--json'], run.env)));
      expect(cli.map((r) => r.code).sort(), cli.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
      const loser = cli.find((r) => r.code === 1)!;
      expect(loser.stderr.trim().split('\n').at(-1)).toMatch(/^emrflow: a run with workflow id songs-etl-2018-11-27 is already running: http/);

      const id = songsEtlWorkflowId('2018-11-28');
      const both = await Promise.allSettled([1, 2].map(() => conn.client.workflow.start('songsEtl', {
        taskQueue: run.config.temporal.task_queue, workflowId: id, args: [{ runDate: '2018-11-28' }],
      })));
      expect(both.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((both.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      open();
      for (const date of ['2018-11-27', '2018-11-28']) {
        const summary = await conn.client.workflow.getHandle(songsEtlWorkflowId(date)).result() as SongsEtlSummary;
        expect(summary.runDate).toBe(date);
        const executions = [];
        // Only this test's task queue: other files on the shared server may use the same ids.
        const query = `WorkflowId = '${songsEtlWorkflowId(date)}' AND TaskQueue = '${run.config.temporal.task_queue}'`;
        for await (const e of conn.client.workflow.list({ query })) executions.push(e);
        expect(executions, `runs for ${date}`).toHaveLength(1);
      }
    });
    const clusters = await clustersOnDisk(run.stateDir);
    expect(clusters.map((c) => [c.owner, c.state]).sort()).toEqual([
      ['songs-etl-2018-11-27', 'TERMINATED'], ['songs-etl-2018-11-28', 'TERMINATED'],
    ]);
  } finally {
    open();
    await conn.close();
  }
}, 180_000);
