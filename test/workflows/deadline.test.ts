// A pipeline's deadline, on the real dev server with real timers a few seconds long: the
// watcher workflow sends one deadline_missed message when the date's run has not succeeded by
// then (still running, or never started) and one more when it succeeds late; nothing when the
// run is on time. Messages go through the real notify activity to a local HTTP receiver.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNotifyActivities } from '../../activities/notify';
import { addDays } from '../../infra/schedules/zoned-time';
import { deadlineWatch, type DeadlineWatchResult } from '../../workflows/deadline-watch';
import { deadlineWatchId } from '../../workflows/deadline';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { runPipeline } from '../../workflows';
import { fakeActivities, type FakeOptions } from '../support/fake-activities';
import { connectForTest, testConfig } from '../support/temporal';
import { webhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { uniqueId, withWorker, type Conn } from './fixtures/harness';

let conn: Conn;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

/** A deadline `seconds` from now (UTC), and the run date it is the deadline of (the day before). */
function dueIn(seconds: number): { runDate: string; time: string } {
  const due = new Date(Date.now() + seconds * 1000).toISOString();
  return { runDate: addDays(due.slice(0, 10), -1), time: due.slice(11, 19) };
}

const planWithDeadline = (name: string, time: string): PipelinePlan => ({
  name, description: name, file: `pipelines/${name}.ts`, dependants: [], after: [], params: {}, stepConcurrency: 1,
  tasks: [{ id: 'etl', dependsOn: [], kind: 'spark', script: 'etl.py', args: [], retries: 0, report: false }],
  deadline: { time, timeZone: 'UTC' },
});

/**
 * Fakes whose notify posts to the receiver. The deadline is set with due(), once the worker is up:
 * bundling the workflows takes seconds, longer than the deadlines these tests wait for.
 */
function fakesFor(rx: WebhookReceiver, name: string, options: FakeOptions = {}) {
  const notify = createNotifyActivities(testConfig({ EMRFLOW_NOTIFY_WEBHOOK_URL: rx.url })).notify;
  const plans: Record<string, PipelinePlan> = {};
  const fake = fakeActivities({ ...options, plans, settings: { notifyOn: ['failure', 'deadline_missed'] }, notify });
  const due = (seconds: number) => {
    const d = dueIn(seconds);
    plans[name] = planWithDeadline(name, d.time);
    return d;
  };
  return { fake, due };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('deadlines', () => {
  test('a run still running at its deadline: one deadline_missed message, then one more when it succeeds late', async () => {
    const rx = await webhookReceiver();
    const name = uniqueId('deadline-late');
    const { fake, due } = fakesFor(rx, name, { holdStep: true });
    let runDate = '';
    try {
      const result = await withWorker(conn, fake.activities, async (taskQueue) => {
        const { runDate: date, time } = due(5);
        runDate = date;
        const run = await conn.client.workflow.start(runPipeline, { taskQueue, workflowId: `${name}-${runDate}`, args: [{ pipeline: name, runDate, mode: 'daily' }] });
        await until('the deadline_missed message arrives', () => rx.delivered.length >= 1);
        expect(rx.delivered[0]).toMatchObject({ outcome: 'deadline_missed', pipeline: name, runDate, workflowId: run.workflowId, runId: run.firstExecutionRunId });
        expect(rx.delivered[0]!.reason).toBe(`not succeeded by its deadline ${time} UTC: run ${run.workflowId} is still running`);
        expect(rx.delivered[0]!.text).toContain(':alarm_clock: missed its deadline');
        fake.release();
        await run.result();
        await until('the late-success message arrives', () => rx.delivered.length >= 2);
        return conn.client.workflow.getHandle<typeof deadlineWatch>(deadlineWatchId(name, runDate)).result();
      });
      expect(rx.delivered[1]).toMatchObject({ outcome: 'deadline_missed', pipeline: name, runDate });
      expect(rx.delivered[1]!.reason).toMatch(/^succeeded late, (less than a minute|\d+ min) after its deadline/);
      expect(result.verdict).toBe('missed-then-succeeded');
      // The next date is watched already, in case its run never starts.
      const next = await conn.client.workflow.getHandle(deadlineWatchId(name, addDays(runDate, 1))).describe();
      expect(next.status.name).toBe('RUNNING');
      await conn.client.workflow.getHandle(deadlineWatchId(name, addDays(runDate, 1))).terminate('test over');
      expect(rx.requests).toHaveLength(2);
    } finally {
      await rx.close();
    }
  }, 60_000);

  test('a date whose run never started: the watcher (as the previous day\'s starts it) says so at the deadline', async () => {
    const rx = await webhookReceiver();
    const name = uniqueId('deadline-none');
    const { fake, due } = fakesFor(rx, name);
    try {
      await withWorker(conn, fake.activities, async (taskQueue) => {
        const { runDate, time } = due(4);
        const watch = await conn.client.workflow.start(deadlineWatch, { taskQueue, workflowId: deadlineWatchId(name, runDate), args: [{ pipeline: name, runDate }] });
        await until('the deadline_missed message arrives', () => rx.delivered.length >= 1);
        expect(rx.delivered[0]).toMatchObject({ outcome: 'deadline_missed', pipeline: name, runDate, workflowId: watch.workflowId });
        expect(rx.delivered[0]!.reason).toBe(`not succeeded by its deadline ${time} UTC: no run has started`);
        await watch.terminate('test over');
        await conn.client.workflow.getHandle(deadlineWatchId(name, addDays(runDate, 1))).terminate('test over');
      });
      expect(rx.requests).toHaveLength(1);
    } finally {
      await rx.close();
    }
  }, 60_000);

  test('a run that succeeds before its deadline sends nothing', async () => {
    const rx = await webhookReceiver();
    const name = uniqueId('deadline-ok');
    const { fake, due } = fakesFor(rx, name);
    let runDate = '';
    try {
      const result: DeadlineWatchResult = await withWorker(conn, fake.activities, async (taskQueue) => {
        runDate = due(30).runDate;
        await conn.client.workflow.execute(runPipeline, { taskQueue, workflowId: `${name}-${runDate}`, args: [{ pipeline: name, runDate, mode: 'daily' }] });
        return conn.client.workflow.getHandle<typeof deadlineWatch>(deadlineWatchId(name, runDate)).result();
      });
      expect(result.verdict).toBe('on-time');
      await conn.client.workflow.getHandle(deadlineWatchId(name, addDays(runDate, 1))).terminate('test over');
      expect(rx.requests).toEqual([]);
    } finally {
      await rx.close();
    }
  }, 60_000);
});
