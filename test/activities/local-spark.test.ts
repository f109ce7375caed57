// The local provider with REAL spark-submit on tiny fixture jobs, through createActivities as a
// worker would call it: stage, create, add step, wait, read the report; and a failing job whose
// Python traceback reaches the SparkStepFailed a workflow sees.
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { loadConfig } from '../../infra/config';
import { fixture } from './local-helpers';
import { testTempDir } from '../support/temp-dir';

function sparkActivities(jobScript: string) {
  const dir = testTempDir('emrflow-spark-');
  const env = {
    EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
    EMRFLOW_DATALAKE_INPUT_DATA: join(dir, 'in'),
    EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
    EMRFLOW_LOCAL_SPARK_MASTER: 'local[1]',
    EMRFLOW_LOCAL_DRIVER_MEMORY: '512m',
    EMRFLOW_LOCAL_STEP_POLL_SECONDS: '1',
  };
  const { config } = loadConfig({ env, cwd: dir });
  return createActivities(config, { jobScript });
}

async function submit(a: ReturnType<typeof sparkActivities>, workflowId: string) {
  const run = { workflowId, runId: `run-${workflowId}`, pipeline: 'songs-etl' };
  const job = await a.stageJob();
  const { clusterId } = await a.createCluster(run);
  const step = await a.addStep({ clusterId, run, job, mode: 'daily', runDate: '2018-11-15', reportId: `r-${workflowId}` });
  return step;
}

const mockEnv = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });

describe('local provider with spark-submit', () => {
  it('runs a Spark job to completion and reads the run report it wrote', async () => {
    const a = sparkActivities(fixture('succeed.py'));
    const step = await submit(a, 'wf-spark-ok');
    const outcome = await mockEnv().run(a.waitForStep, step);
    expect(outcome).toMatchObject({ stepId: step.stepId, state: 'COMPLETED' });
    expect(await a.readRunReport('r-wf-spark-ok')).toMatchObject({
      run_id: 'r-wf-spark-ok', mode: 'daily', run_date: '2018-11-15', rows: { songplays: 5 },
    });
    expect(await a.terminateCluster(step.clusterId)).toMatchObject({ action: 'terminated' });
  });

  it('a Spark job that raises fails the wait with its Python traceback', async () => {
    const a = sparkActivities(fixture('fail.py'));
    const step = await submit(a, 'wf-spark-fail');
    const err = await mockEnv().run(a.waitForStep, step).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as ApplicationFailure;
    expect(f.type).toBe('SparkStepFailed');
    const details = f.details?.[0] as { stderrTail: string; reason: string };
    expect(details.reason).toMatch(/exited with code [1-9]/);
    expect(details.stderrTail).toContain('RuntimeError: fixture exploded on purpose: bad record in song_data');
    expect((await a.fetchStepLogs(step)).stderrTail).toBe(details.stderrTail);
    await a.terminateCluster(step.clusterId);
  });
});
