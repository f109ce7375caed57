import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EMR_CLUSTER_ID, EMR_STEP_ID, PIPELINE_KEY, RUN_DATE } from '../../workflows/search-attributes';
import { songsEtlWorkflowId, type SongsEtlStatus, type SongsEtlSummary } from '../../workflows/shared';
import { fakeActivities, STDERR_TAIL } from '../support/fake-activities';
import { connectForTest } from '../support/temporal';
import { uniqueId, withWorker, type Conn } from './fixtures/harness';

let conn: Conn;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

const utcDate = (t: Date): string => t.toISOString().slice(0, 10);

/** The run's failure, as the web UI shows it: the workflow's ApplicationFailure. */
async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await run.then(() => { throw new Error('the run succeeded'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('songsEtl', () => {
  test('runs the stages in order, terminates the cluster and returns the summary', async () => {
    const fake = fakeActivities();
    const workflowId = uniqueId('songs-etl-happy');
    const { summary, attrs } = await withWorker(conn, fake.activities, async (taskQueue) => {
      const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId, args: [{ runDate: '2018-11-15' }] });
      const summary = await handle.result() as SongsEtlSummary;
      return { summary, attrs: (await handle.describe()).typedSearchAttributes };
    });
    expect(fake.names()).toEqual(['resolvePipeline', 'preflight', 'pipelineSettings', 'waitForInput', 'requestLakeLock', 'recoverPublish', 'cleanStaging', 'stageJob', 'createCluster', 'addStep', 'waitForStep', 'readRunReport', 'terminateCluster', 'runCheck', 'publishStaged', 'registerCatalog', 'runCost']);
    expect(fake.live()).toEqual([]);
    const create = fake.calls.find((c) => c.name === 'createCluster');
    expect(create?.args[0]).toMatchObject({ workflowId, pipeline: 'songs-etl' });
    const submission = fake.calls.find((c) => c.name === 'addStep')?.args[0];
    expect(submission).toMatchObject({ clusterId: 'j-FAKE1', mode: 'daily', runDate: '2018-11-15', reportId: summary.reportId });
    expect(summary.reportId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(summary).toMatchObject({
      runDate: '2018-11-15', mode: 'daily', provider: 'local', clusterId: 'j-FAKE1', stepId: 's-FAKE1', output: '/data/out',
      rows: { songplays: 40, users: 12, songs: 10, artists: 9, time: 40 }, rejected: { total: 1 },
    });
    // The cluster ends as soon as no task needs it: before the audit, which only reads the report.
    expect(summary.stages.map((s) => s.stage)).toEqual(['resolvePipeline', 'preflight', 'pipelineSettings', 'waitForInput', 'recoverPublish', 'cleanStaging', 'stageJob', 'createCluster', 'addStep', 'waitForStep', 'readRunReport', 'terminateCluster', 'check', 'publish', 'catalog', 'startDependants']);
    expect(summary.tasks.map((t) => [t.id, t.state])).toEqual([['input', 'succeeded'], ['etl', 'succeeded'], ['audit', 'succeeded'], ['publish', 'succeeded'], ['catalog', 'succeeded']]);
    expect(summary.tasks[1]).toMatchObject({ attempts: 1, stepId: 's-FAKE1', stepState: 'COMPLETED', rows: { songplays: 40 } });
    expect(summary.stages.every((s) => s.endedAt && s.seconds !== undefined && s.seconds >= 0)).toBe(true);
    expect(summary.clusterBilledSeconds).toBeGreaterThanOrEqual(0);
    // The cost section, from the cluster's usage once it was terminated: locally nothing is billed.
    expect(fake.calls.find((c) => c.name === 'runCost')?.args).toEqual(['j-FAKE1']);
    expect(summary.cost).toMatchObject({ provider: 'local', currency: 'USD', estimatedUsd: 0, pricesFrom: 'defaults', usage: { kind: 'local' } });
    expect(summary.cost?.basis).toMatch(/^spark-submit on this machine for \d+ s: nothing billed$/);
    expect(attrs.get(RUN_DATE)).toBe('2018-11-15');
    expect(attrs.get(PIPELINE_KEY)).toBe('songs-etl');
    expect(attrs.get(EMR_CLUSTER_ID)).toBe('j-FAKE1');
    expect(attrs.get(EMR_STEP_ID)).toBe('s-FAKE1');
  });

  test.each([
    ['fetched after the failure', false],
    ['carried by the failure', true],
  ])('a failed Spark step fails the run with the reason and the stderr tail (%s) and the cluster is terminated', async (_label, tailInDetails) => {
    const fake = fakeActivities({ step: { fails: 'Step failed with exitCode 1', tailInDetails } });
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-stepfail'), args: [{ runDate: '2018-11-15' }] })));
    expect(failure.type).toBe('SparkStepFailed');
    expect(failure.message).toContain('stage waitForStep: Spark step s-FAKE1 failed: Step failed with exitCode 1');
    expect(failure.message).toContain('AnalysisException: [UNRESOLVED_COLUMN] ts');
    expect(fake.names().includes('fetchStepLogs')).toBe(!tailInDetails);
    expect(fake.names().at(-1)).toBe('terminateCluster');
    expect(fake.live()).toEqual([]);
    expect(STDERR_TAIL).toContain('Traceback');
  });

  test.each([
    ['task etl, stage addStep', { failures: { addStep: () => ApplicationFailure.nonRetryable('cluster rejected the step', 'ConfigError') } }, 'ConfigError'],
    ['task etl, stage waitForStep', { failures: { waitForStep: () => ApplicationFailure.nonRetryable('cluster terminated by AWS', 'ClusterTerminated') } }, 'ClusterTerminated'],
    ['task etl, stage readRunReport', { failures: { readRunReport: () => ApplicationFailure.nonRetryable('no report at _reports/x.json', 'ConfigError') } }, 'ConfigError'],
    ['task audit, stage check', { report: (r: never) => ({ ...(r as object), rows: { songplays: 40, users: 0, songs: 10, artists: 9, time: 40 } }) }, 'DataQualityFailed'],
  ] as const)('a failure at %s fails the run naming the stage, and the cluster is terminated', async (stage, options, type) => {
    const fake = fakeActivities(options as Parameters<typeof fakeActivities>[0]);
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-fail'), args: [{ runDate: '2018-11-15' }] })));
    expect(failure.type).toBe(type);
    expect(failure.message.startsWith(`${stage}: `)).toBe(true);
    expect(fake.names().filter((n) => n === 'terminateCluster')).toHaveLength(1);
    expect(fake.live()).toEqual([]);
  });

  test('a cluster that cannot be terminated fails an otherwise good run, naming the cluster, so somebody notices it', async () => {
    const fake = fakeActivities({
      settings: { provider: 'emr' },
      failures: { terminateCluster: () => ApplicationFailure.nonRetryable('AccessDenied: not authorized to perform TerminateJobFlows', 'ConfigError') },
    });
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-cleanupfail'), args: [{ runDate: '2018-11-15' }] })));
    expect(failure.type).toBe('ClusterNotTerminated');
    expect(failure.message).toBe('stage terminateCluster: the tasks succeeded, but cluster j-FAKE1 could not be terminated '
      + '(AccessDenied: not authorized to perform TerminateJobFlows); it ends at its idle timeout ([emr] idle_timeout_minutes), or run `emrflow clusters sweep` now');
    expect(fake.names()).toContain('readRunReport');
    expect(fake.live().map((c) => c.clusterId)).toEqual(['j-FAKE1']);
  });

  test('termination protection fails an otherwise good run like ClusterNotTerminated, naming the cluster (#16 item 12)', async () => {
    const fake = fakeActivities({ protectClusters: true });
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-protected'), args: [{ runDate: '2018-11-15' }] })));
    expect(failure.type).toBe('ClusterNotTerminated');
    expect(failure.message).toContain('cluster j-FAKE1 could not be terminated (termination protection is on)');
    expect(fake.live().map((c) => c.clusterId)).toEqual(['j-FAKE1']);
  });

  test('a data-quality failure says each problem once, in one message (#16 item 13)', async () => {
    const fake = fakeActivities({ report: (r) => ({ ...r, rejected: { total: 30, by_reason: { malformed_json: 30 } } }) });
    const err = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute('songsEtl', {
      taskQueue, workflowId: uniqueId('songs-etl-dq'), args: [{ runDate: '2018-11-15' }],
    }).catch((e: unknown) => e));
    const chain: string[] = [];
    for (let c: unknown = (err as WorkflowFailedError).cause; c instanceof Error; c = (c as { cause?: unknown }).cause) chain.push(c.message);
    expect(chain).toEqual(['task audit, stage check: data quality: reject share: 30 of 100 input records rejected (30.0% > 5.0% allowed)']);
  });

  test('when the step failed and the cluster cannot be terminated either, the run fails with the step\'s failure', async () => {
    const fake = fakeActivities({
      step: { fails: 'Step failed with exitCode 1', tailInDetails: true },
      failures: { terminateCluster: () => ApplicationFailure.nonRetryable('AccessDenied', 'ConfigError') },
    });
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-bothfail'), args: [{ runDate: '2018-11-15' }] })));
    expect(failure.type).toBe('SparkStepFailed');
    expect(fake.names()).toContain('terminateCluster');
  });

  test('a failed preflight fails the run at once naming each failed check and its fix, and creates no cluster', async () => {
    const fake = fakeActivities({
      settings: { provider: 'emr' },
      preflight: [
        { name: 'credentials', ok: true, detail: 'arn:aws:iam::123456789012:user/etl' },
        { name: 'bucket s3://sparkify-code', ok: false, detail: 'does not exist (s3.code_uri)', fix: 'run `emrflow aws bootstrap`' },
        { name: 'service role EMR_DefaultRole', ok: false, detail: 'does not exist', fix: 'run `emrflow aws bootstrap` (or `aws emr create-default-roles`)' },
      ],
    });
    const started = Date.now();
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-preflight'), args: [{ runDate: '2018-11-15' }] })));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failure.type).toBe('PreflightFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^stage preflight: preflight \(emr provider\): 2 of 3 checks failed; no cluster was created/);
    expect(failure.message).toContain('FAIL bucket s3://sparkify-code  does not exist (s3.code_uri) — fix: run `emrflow aws bootstrap`');
    expect(failure.message).toContain('FAIL service role EMR_DefaultRole  does not exist — fix: run `emrflow aws bootstrap` (or `aws emr create-default-roles`)');
    expect(failure.message).not.toContain('credentials');
    // Not retried, and nothing after it ran but reading the settings ([notify] on: is this failure
    // to be sent?): no cluster, so nothing to terminate.
    expect(fake.calls.map((c) => [c.name, c.attempt])).toEqual([['resolvePipeline', 1], ['preflight', 1], ['pipelineSettings', 1]]);
    expect(fake.clusters.size).toBe(0);
  });

  test('a run cancelled while waiting for the step terminates the cluster and ends cancelled', async () => {
    const fake = fakeActivities({ holdStep: true });
    const err = await withWorker(conn, fake.activities, async (taskQueue) => {
      const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-cancel'), args: [{ runDate: '2018-11-15' }] });
      await fake.waiting;
      await handle.cancel();
      return handle.result().then(() => undefined, (e: unknown) => e);
    }, { fastHeartbeats: true });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(fake.names().at(-1)).toBe('terminateCluster');
    expect(fake.live()).toEqual([]);
  });

  test('createCluster retried after a lost response makes exactly one cluster', async () => {
    const fake = fakeActivities({ lostResponses: { createCluster: (attempt) => (attempt === 1 ? new Error('socket hang up') : undefined) } });
    const summary = await withWorker(conn, fake.activities, (taskQueue) =>
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-retry'), args: [{ runDate: '2018-11-15' }] }));
    expect(fake.calls.filter((c) => c.name === 'createCluster').map((c) => c.attempt)).toEqual([1, 2]);
    expect(fake.clusters.size).toBe(1);
    expect(summary.clusterId).toBe('j-FAKE1');
    expect(fake.live()).toEqual([]);
  });

  test('a run started by a schedule processes the day before its scheduled time', async () => {
    const fake = fakeActivities();
    const scheduleId = uniqueId('songs-etl-schedule');
    const { summary, runDate, triggeredAt } = await withWorker(conn, fake.activities, async (taskQueue) => {
      const schedule = await conn.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '365 days' }] },
        action: { type: 'startWorkflow', workflowType: 'songsEtl', taskQueue, workflowId: scheduleId },
        state: { paused: true },
      });
      try {
        const triggeredAt = new Date();
        await schedule.trigger();
        let workflowId: string | undefined;
        while (!workflowId) {
          const action = (await schedule.describe()).info.recentActions[0];
          workflowId = action?.action.workflow.workflowId;
          if (!workflowId) await new Promise((r) => setTimeout(r, 100));
        }
        const handle = conn.client.workflow.getHandle(workflowId);
        const summary = await handle.result() as SongsEtlSummary;
        return { summary, triggeredAt, runDate: (await handle.describe()).typedSearchAttributes.get(RUN_DATE) };
      } finally {
        await schedule.delete();
      }
    });
    const dayBefore = utcDate(new Date(triggeredAt.getTime() - 24 * 3600_000));
    expect(summary).toMatchObject({ runDate: dayBefore, mode: 'daily' });
    expect(runDate).toBe(dayBefore);
  });

  test.each([
    ['{}', [{}]],
    ['no input', []],
  ])('%s runs the full pipeline for the start date', async (_label, args) => {
    const fake = fakeActivities();
    const before = utcDate(new Date());
    const summary = await withWorker(conn, fake.activities, (taskQueue) =>
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-noinput'), args }));
    expect([before, utcDate(new Date())]).toContain(summary.runDate);
    expect(summary.mode).toBe('full');
  });

  test.each([
    [{ runDate: '2018-02-30' }, 'input.runDate'],
    [{ runDate: '15/11/2018' }, 'input.runDate'],
    [{ mode: 'weekly' }, 'input.mode'],
  ])('bad input %j fails at once with InvalidInput naming %s', async (input, field) => {
    const fake = fakeActivities();
    const failure = await withWorker(conn, fake.activities, (taskQueue) => failureOf(
      conn.client.workflow.execute('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-bad'), args: [input] })));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(field);
    expect(fake.calls).toEqual([]);
  });

  test('a second start for the same date is rejected while the first runs, and status shows where the run is', async () => {
    const fake = fakeActivities({ holdStep: true });
    const workflowId = songsEtlWorkflowId('2018-11-20');
    expect(workflowId).toBe('songs-etl-2018-11-20');
    await withWorker(conn, fake.activities, async (taskQueue) => {
      const options = { taskQueue, workflowId, args: [{ runDate: '2018-11-20' }] };
      const handle = await conn.client.workflow.start('songsEtl', options);
      await fake.waiting;
      await expect(conn.client.workflow.start('songsEtl', options)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      const status = await handle.query<SongsEtlStatus>('status');
      expect(status).toMatchObject({ stage: 'waitForStep', runDate: '2018-11-20', mode: 'daily', clusterId: 'j-FAKE1', stepId: 's-FAKE1', stepState: 'PENDING' });
      expect(status.stages.map((s) => s.stage)).toEqual(['resolvePipeline', 'preflight', 'pipelineSettings', 'waitForInput', 'recoverPublish', 'cleanStaging', 'stageJob', 'createCluster', 'addStep', 'waitForStep']);
      expect(status.tasks.map((t) => [t.id, t.state])).toEqual([['input', 'succeeded'], ['etl', 'running'], ['audit', 'waiting'], ['publish', 'waiting'], ['catalog', 'waiting']]);
      expect(status.stages.at(-1)?.endedAt).toBeUndefined();
      fake.release();
      await handle.result();
      expect(await handle.query<SongsEtlStatus>('status')).toMatchObject({ stage: 'done', stepState: 'COMPLETED' });
    });
  });
});

describe('what the web UI shows of a run', () => {
  /** The run's current details (the User Metadata tab asks the worker this query) and its activity summaries (the timeline). */
  async function shown(fake: ReturnType<typeof fakeActivities>, workflowId: string) {
    return withWorker(conn, fake.activities, async (taskQueue) => {
      const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId, args: [{ runDate: '2018-11-15' }] });
      await handle.result().catch(() => undefined);
      const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      const summaries = ((await handle.fetchHistory()).events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes && e.userMetadata?.summary
        ? [defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary)] : []));
      return { currentDetails, summaries };
    });
  }

  test('an EMR run: the cluster links to its console page, rows per table; the activities are named on the timeline', async () => {
    const fake = fakeActivities({ settings: { provider: 'emr', region: 'eu-west-1', logUri: 's3://logs/emr', cluster: '1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0' } });
    const { currentDetails, summaries } = await shown(fake, uniqueId('songs-etl-shown'));
    expect(currentDetails).toContain('### Succeeded: songs-etl for 2018-11-15 (daily)');
    expect(currentDetails).toContain('**Cluster**: [j-FAKE1](https://eu-west-1.console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-FAKE1)');
    expect(currentDetails).toContain('[s-FAKE1](https://s3.console.aws.amazon.com/s3/buckets/logs?region=eu-west-1&prefix=emr%2Fj-FAKE1%2Fsteps%2Fs-FAKE1%2F)');
    expect(currentDetails).toMatch(/\| etl \| spark \| succeeded \| \d+ s \|/);
    expect(currentDetails).toMatch(/\| songplays \| \d+ \|/);
    // The billed time, and the estimated cost once the run knows it.
    expect(currentDetails).toMatch(/\*\*Billed time\*\* \(cluster created → terminated\): \d+ s/);
    expect(currentDetails).toMatch(/\*\*Estimated cost\*\*: \$\d+\.\d\d \(3 × m5\.xlarge for \d+ s at \$0\.192 \+ EMR \$0\.048 per instance-hour; prices from defaults\)/);
    expect(summaries).toEqual(expect.arrayContaining([
      'create cluster: 1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0', 'Spark: etl.py daily 2018-11-15', 'terminate j-FAKE1',
    ]));
  });

  test('a failed run: the reason, then the driver stderr tail', async () => {
    const fake = fakeActivities({ step: { fails: 'Step failed with exitCode 1' } });
    const { currentDetails } = await shown(fake, uniqueId('songs-etl-shown-failed'));
    expect(currentDetails).toContain('### Failed: songs-etl for 2018-11-15 (daily)');
    expect(currentDetails).toContain('**Reason**: task etl, stage waitForStep: Spark step s-FAKE1 failed: Step failed with exitCode 1');
    expect(currentDetails).toContain(`**Driver stderr (tail)**\n\n\`\`\`\n${STDERR_TAIL}\n\`\`\``);
    expect(currentDetails).toMatch(/\| audit \| check \| skipped \|/);
  });
});

test('a run cancelled while its cluster is being created still terminates that cluster', async () => {
  const fake = fakeActivities({ delays: { createCluster: 1000 } });
  const err = await withWorker(conn, fake.activities, async (taskQueue) => {
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId: uniqueId('songs-etl-cancel-create'), args: [{ runDate: '2018-11-15' }] });
    while (!fake.names().includes('createCluster')) await new Promise((r) => setTimeout(r, 20));
    await handle.cancel();
    return handle.result().then(() => undefined, (e: unknown) => e);
  });
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(fake.names()).toEqual(['resolvePipeline', 'preflight', 'pipelineSettings', 'waitForInput', 'requestLakeLock', 'recoverPublish', 'cleanStaging', 'stageJob', 'createCluster', 'terminateCluster']);
  expect(fake.clusters.size).toBe(1);
  expect(fake.live()).toEqual([]);
});
