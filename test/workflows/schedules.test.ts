// Schedules as code against the real dev server: sync is idempotent, never unpauses, and a
// backfill starts one run per day, in order, one at a time.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ScheduleOptions } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dailyBackfill } from '../../infra/schedules/backfill';
import { SONGS_ETL_DAILY, SWEEP_HOURLY, scheduleDefinitions } from '../../infra/schedules/definitions';
import { syncSchedules } from '../../infra/schedules/sync';
import { createWorker } from '../../infra/worker/create-worker';
import { connectForTest, testConfig } from '../support/temporal';

let conn: Awaited<ReturnType<typeof connectForTest>>;
beforeAll(async () => {
  conn = await connectForTest();
});
afterAll(async () => conn.close());

/** The declared schedules under ids of this test's own, so tests never share a schedule. */
function ownDefinitions(config = testConfig(), suffix = randomUUID().slice(0, 8)): ScheduleOptions[] {
  return scheduleDefinitions(config).map((d) => ({ ...d, scheduleId: `${d.scheduleId}-${suffix}` }));
}

describe('schedules sync', () => {
  test('creates both schedules once, then reports them unchanged', async () => {
    const defs = ownDefinitions();
    const ids = defs.map((d) => d.scheduleId);
    expect(await syncSchedules(conn.client, defs)).toEqual({ [ids[0]!]: 'created', [ids[1]!]: 'created' });
    expect(await syncSchedules(conn.client, defs)).toEqual({ [ids[0]!]: 'unchanged', [ids[1]!]: 'unchanged' });
    const daily = await conn.client.schedule.getHandle(ids[0]!).describe();
    expect(ids[0]).toContain(SONGS_ETL_DAILY);
    expect(ids[1]).toContain(SWEEP_HOURLY);
    expect(daily.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(daily.policies.overlap).toBe('BUFFER_ALL');
    expect(daily.action.type === 'startWorkflow' && daily.action.workflowType).toBe('songsEtl');
  });

  test('a changed time updates the schedule but a paused schedule stays paused', async () => {
    const suffix = randomUUID().slice(0, 8);
    const first = ownDefinitions(testConfig(), suffix);
    await syncSchedules(conn.client, first);
    const id = first[0]!.scheduleId;
    await conn.client.schedule.getHandle(id).pause('investigating a bad upstream file');

    const changed = ownDefinitions(testConfig({ EMRFLOW_SCHEDULE_DAILY_TIME: '05:30' }), suffix);
    const result = await syncSchedules(conn.client, changed);
    expect(result[id]).toBe('updated');
    const d = await conn.client.schedule.getHandle(id).describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('investigating a bad upstream file');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 5, end: 5, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  });
});

test('backfill: one run per day, oldest first, never two at once', async () => {
  const config = testConfig();
  const [daily] = ownDefinitions(config);
  await syncSchedules(conn.client, [daily!]);
  const handle = conn.client.schedule.getHandle(daily!.scheduleId);
  await handle.pause('backfill only');
  const worker = await createWorker({
    connection: conn.native,
    config,
    activities: {},
    workflowsPath: fileURLToPath(new URL('./fixtures/scheduled-echo.ts', import.meta.url)),
  });
  const runs = await worker.runUntil(async () => {
    await handle.backfill(dailyBackfill(config, '2018-11-01', '2018-11-03'));
    const query = `TemporalScheduledById = '${daily!.scheduleId}'`;
    for (let i = 0; i < 60; i++) {
      const closed = [];
      for await (const w of conn.client.workflow.list({ query })) if (w.status.name === 'COMPLETED') closed.push(w);
      if (closed.length >= 3) return closed;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('backfill did not complete three runs within 30 s');
  });
  const ordered = runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const scheduled = await Promise.all(ordered.map(async (w) =>
    (await conn.client.workflow.getHandle(w.workflowId, w.runId).result()).scheduledAt));
  // Run dates Nov 1–3 are the schedule's 07:00 UTC slots on Nov 2–4.
  expect(scheduled).toEqual(['2018-11-02T07:00:00.000Z', '2018-11-03T07:00:00.000Z', '2018-11-04T07:00:00.000Z']);
  for (let i = 1; i < ordered.length; i++)
    expect(ordered[i]!.startTime.getTime()).toBeGreaterThanOrEqual(ordered[i - 1]!.closeTime!.getTime());
});

test('item 11: a daily run that falls due during a backfill runs after it instead of being swallowed', async () => {
  const config = testConfig();
  const [daily] = ownDefinitions(config);
  await syncSchedules(conn.client, [daily!]);
  const handle = conn.client.schedule.getHandle(daily!.scheduleId);
  const worker = await createWorker({
    connection: conn.native,
    config,
    activities: {},
    workflowsPath: fileURLToPath(new URL('./fixtures/slow-scheduled-echo.ts', import.meta.url)),
  });
  const query = `TemporalScheduledById = '${daily!.scheduleId}'`;
  const runs = await worker.runUntil(async () => {
    await handle.backfill(dailyBackfill(config, '2018-11-01', '2018-11-02'));
    // The backfill's first run is going: now the daily action falls due, under the schedule's own overlap policy.
    for (let i = 0; i < 60; i++) {
      let running = 0;
      for await (const w of conn.client.workflow.list({ query })) if (w.status.name === 'RUNNING') running += 1;
      if (running > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await handle.trigger(daily!.policies!.overlap);
    for (let i = 0; i < 120; i++) {
      const closed = [];
      for await (const w of conn.client.workflow.list({ query })) if (w.status.name === 'COMPLETED') closed.push(w);
      const d = await handle.describe();
      if (closed.length >= 3 && d.info.runningActions.length === 0 && (d.info as { bufferedActions?: number }).bufferedActions !== 1) return closed;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('the backfill and the daily run did not complete within 60 s');
  });
  await handle.delete();
  const ordered = runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const scheduled = await Promise.all(ordered.map(async (w) =>
    (await conn.client.workflow.getHandle(w.workflowId, w.runId).result()).scheduledAt));
  expect(scheduled.slice(0, 2), 'the backfill ran first').toEqual(['2018-11-02T07:00:00.000Z', '2018-11-03T07:00:00.000Z']);
  expect(ordered, 'the daily run that fell due during the backfill ran too').toHaveLength(3);
  for (let i = 1; i < ordered.length; i++)
    expect(ordered[i]!.startTime.getTime(), 'never two at once').toBeGreaterThanOrEqual(ordered[i - 1]!.closeTime!.getTime());
});
