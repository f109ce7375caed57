// The schedules emrflow runs, declared as code. `emrflow schedules sync` (and the worker at
// start-up) makes the server match these.
import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { EmrflowConfig } from '../config';

export const SONGS_ETL_DAILY = 'songs-etl-daily';
export const SWEEP_HOURLY = 'sweep-stray-clusters-hourly';
export const SCHEDULE_IDS = [SONGS_ETL_DAILY, SWEEP_HOURLY] as const;

export function scheduleDefinitions(config: EmrflowConfig): ScheduleOptions[] {
  const [hour, minute] = config.schedule.daily_time.split(':').map(Number) as [number, number];
  const taskQueue = config.temporal.task_queue;
  return [
    {
      scheduleId: SONGS_ETL_DAILY,
      spec: { calendars: [{ hour, minute }], timezone: config.schedule.time_zone },
      action: {
        type: 'startWorkflow',
        workflowType: 'songsEtl',
        // Each scheduled run processes the day before its scheduled time (see workflows/run-input.ts).
        args: [{ mode: 'daily' }],
        taskQueue,
        workflowId: 'songs-etl-scheduled',
      },
      policies: {
        // Never two runs on the same tables at once, and never a day lost: a run that falls due
        // while another runs (a slow day, or a backfill's runs, which are buffered too) starts
        // after it, in order. SKIP made a backfill swallow the daily runs due meanwhile.
        overlap: ScheduleOverlapPolicy.BUFFER_ALL,
        catchupWindow: `${config.schedule.catchup_window_hours}h`,
      },
    },
    {
      scheduleId: SWEEP_HOURLY,
      spec: { intervals: [{ every: '1h' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'terminateEmrClusters',
        args: [{}],
        taskQueue,
        workflowId: 'sweep-stray-clusters-scheduled',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    },
  ];
}
