// [notify] end to end on the real workflow bundle: a run's outcome reaches a local HTTP receiver
// (standing in for a Slack webhook) through the real notify activity, once, with the facts a
// person and a machine need; a failing or absent receiver never changes the run's outcome; and
// the webhook URL (a secret) never enters the run's history.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNotifyActivities } from '../../activities/notify';
import { freePort } from '../support/free-port';
import { fakeActivities, STDERR_TAIL, type FakeOptions } from '../support/fake-activities';
import { historyText } from '../support/secrets-scan';
import { connectForTest, testConfig } from '../support/temporal';
import { webhookReceiver } from '../support/webhook-receiver';
import { uniqueId, withWorker, type Conn } from './fixtures/harness';

let conn: Conn;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

const DEFAULT_ON = { notifyOn: ['failure', 'data_quality', 'cluster_left_running', 'deadline_missed'] as const };

/** Runs songsEtl for 2018-11-15 with fakes whose notify is the real activity posting to webhookUrl. */
async function run(webhookUrl: string, options: FakeOptions) {
  const notify = createNotifyActivities(testConfig({ EMRFLOW_NOTIFY_WEBHOOK_URL: webhookUrl })).notify;
  const fake = fakeActivities({ ...options, settings: { notifyOn: [...DEFAULT_ON.notifyOn], ...options.settings }, notify });
  const workflowId = uniqueId('songs-etl-notify');
  return withWorker(conn, fake.activities, async (taskQueue) => {
    const handle = await conn.client.workflow.start('songsEtl', { taskQueue, workflowId, args: [{ runDate: '2018-11-15', mode: 'daily' }] });
    const outcome = await handle.result().then(() => undefined, (e: unknown) => (e as WorkflowFailedError).cause as ApplicationFailure);
    return { fake, workflowId, runId: handle.firstExecutionRunId, failure: outcome, history: await historyText(conn.client, workflowId) };
  });
}

describe('notifications', () => {
  test('a failed run delivers one message naming the pipeline, date, reason, link and stderr tail; the URL stays out of history', async () => {
    const rx = await webhookReceiver();
    try {
      const r = await run(rx.url, { step: { fails: 'Step failed with exitCode 1', tailInDetails: true } });
      expect(r.failure?.type).toBe('SparkStepFailed');
      expect(rx.requests).toHaveLength(1);
      const m = rx.delivered[0]!;
      expect(m).toMatchObject({
        pipeline: 'songs-etl', runDate: '2018-11-15', outcome: 'failure', workflowId: r.workflowId, runId: r.runId,
        link: `http://127.0.0.1:8233/namespaces/default/workflows/${r.workflowId}/${r.runId}`,
        stderrTail: STDERR_TAIL,
      });
      expect(m.reason).toBe('task etl, stage waitForStep: Spark step s-FAKE1 failed: Step failed with exitCode 1');
      // What Slack shows: the headline, the reason, a link and the tail's last lines.
      expect(m.text).toContain('*songs-etl* 2018-11-15 :x: failed');
      expect(m.text).toContain(`<${m.link}|Open the run in the Temporal web UI>`);
      expect(m.text).toContain('AnalysisException: [UNRESOLVED_COLUMN] ts');
      expect(r.history).toContain('"activityType":{"name":"notify"}');
      expect(r.history).not.toContain(rx.token);
    } finally {
      await rx.close();
    }
  });

  test('a data quality failure delivers one data_quality message; a cluster left running one cluster_left_running', async () => {
    const rx = await webhookReceiver();
    try {
      const dq = await run(rx.url, { report: (rep) => ({ ...rep, rows: { ...rep.rows, users: 0 } }) });
      expect(dq.failure?.type).toBe('DataQualityFailed');
      expect(rx.delivered.map((m) => [m.outcome, m.workflowId])).toEqual([['data_quality', dq.workflowId]]);
      expect(rx.delivered[0]!.reason).toMatch(/^task audit, stage check: data quality: /);
      expect(rx.delivered[0]!.stderrTail).toBeUndefined();
      const left = await run(rx.url, { protectClusters: true });
      expect(left.failure?.type).toBe('ClusterNotTerminated');
      expect(rx.delivered.map((m) => m.outcome)).toEqual(['data_quality', 'cluster_left_running']);
      expect(rx.delivered[1]!.text).toContain('cluster is still running');
    } finally {
      await rx.close();
    }
  });

  test('success is sent only when [notify] on lists it', async () => {
    const rx = await webhookReceiver();
    try {
      const quiet = await run(rx.url, {});
      expect(quiet.failure).toBeUndefined();
      expect(quiet.fake.names()).not.toContain('notify');
      const told = await run(rx.url, { settings: { notifyOn: ['success'] } });
      expect(told.failure).toBeUndefined();
      expect(rx.delivered.map((m) => [m.outcome, m.workflowId])).toEqual([['success', told.workflowId]]);
      expect(rx.delivered[0]!.reason).toMatch(/tasks succeeded; rows songplays 40/);
    } finally {
      await rx.close();
    }
  });

  test('a receiver that answers 500 and then 200 gets the message once, by Temporal retry', async () => {
    const rx = await webhookReceiver([500]);
    try {
      const r = await run(rx.url, { step: { fails: 'Step failed with exitCode 1' } });
      expect(r.failure?.type).toBe('SparkStepFailed');
      expect(rx.requests.map((m) => m.key)).toEqual([rx.requests[0]!.key, rx.requests[0]!.key]);
      expect(rx.delivered).toHaveLength(1);
      expect(r.fake.calls.filter((c) => c.name === 'notify').map((c) => c.attempt)).toEqual([1, 2]);
      // The failed attempt names the webhook by position and host, not by its URL.
      expect(r.history).toContain('webhook 1 of 1 (127.0.0.1:');
      expect(r.history).toContain('HTTP 500 internal_error');
      expect(r.history).not.toContain(rx.token);
    } finally {
      await rx.close();
    }
  });

  test('with two webhooks, a retry after the second answered 500 does not send to the first again', async () => {
    const first = await webhookReceiver();
    const second = await webhookReceiver([503]);
    try {
      const r = await run(`${first.url}, ${second.url}`, { step: { fails: 'Step failed with exitCode 1' } });
      expect(r.failure?.type).toBe('SparkStepFailed');
      expect(second.requests).toHaveLength(2);
      expect(second.delivered).toHaveLength(1);
      // The first webhook took it on attempt 1; attempt 2 knew that from the heartbeat.
      expect(first.requests).toHaveLength(1);
      expect(r.history).toContain('webhook 2 of 2 (127.0.0.1:');
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('a receiver that is down does not change the run\'s outcome, success or failure', async () => {
    const down = `http://127.0.0.1:${await freePort()}/hooks/emrflow-test-webhook-down-secret`;
    const failed = await run(down, { step: { fails: 'Step failed with exitCode 1' } });
    expect(failed.failure?.type).toBe('SparkStepFailed');
    expect(failed.failure?.message).toContain('Step failed with exitCode 1');
    // Temporal retried it with backoff, then the run gave up on the message and kept its failure.
    expect(failed.fake.calls.filter((c) => c.name === 'notify').map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(failed.history).not.toContain('emrflow-test-webhook-down-secret');
    const ok = await run(down, { settings: { notifyOn: ['success'] } });
    expect(ok.failure).toBeUndefined();
  }, 90_000);
});
