// The schedules emrflow runs, derived from the pipeline definitions (every pipeline with a
// `schedule` gets a daily one) plus the hourly sweeper. `emrflow schedules sync` (and the worker
// at start-up) makes the server match these.
import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { EmrflowConfig } from '../config';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { sweepMetadata } from '../../workflows/run-metadata';
import { runMetadataFor, runPlace } from '../run-metadata';

/** A plan as scheduling needs it; description and tasks, when given, go into the runs' details. */
type ScheduledPlan = Pick<PipelinePlan, 'name' | 'schedule'> & Partial<Pick<PipelinePlan, 'description' | 'tasks'>>;

export const SONGS_ETL_DAILY = 'songs-etl-daily';
export const SWEEP_HOURLY = 'sweep-stray-clusters-hourly';
export const SCHEDULE_IDS = [SONGS_ETL_DAILY, SWEEP_HOURLY] as const;

/** The schedule id of a pipeline's daily runs. */
export const dailyScheduleId = (pipeline: string): string => `${pipeline}-daily`;

/** songs-etl's schedule as it was before pipelines were declared: scheduled without a registry at hand. */
const SONGS_ETL_SCHEDULE: ScheduledPlan = { name: 'songs-etl', schedule: { overlap: 'buffer-all' } };

const OVERLAP = {
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  skip: ScheduleOverlapPolicy.SKIP,
} as const;

function dailySchedule(config: EmrflowConfig, plan: ScheduledPlan): ScheduleOptions {
  const s = plan.schedule!;
  const [hour, minute] = (s.dailyTime ?? config.schedule.daily_time).split(':').map(Number) as [number, number];
  // songs-etl keeps its own workflow type and ids (the web UI and existing runs know them).
  const songsEtl = plan.name === 'songs-etl';
  return {
    scheduleId: dailyScheduleId(plan.name),
    spec: { calendars: [{ hour, minute }], timezone: s.timeZone ?? config.schedule.time_zone },
    action: {
      type: 'startWorkflow',
      workflowType: songsEtl ? 'songsEtl' : 'runPipeline',
      // Each scheduled run processes the day before its scheduled time (see workflows/run-input.ts).
      args: [songsEtl ? { mode: 'daily' } : { pipeline: plan.name, mode: 'daily' }],
      taskQueue: config.temporal.task_queue,
      workflowId: `${plan.name}-scheduled`,
      // Every scheduled run (backfill and trigger too) carries it: the schedule's action is theirs.
      ...runMetadataFor(config, plan.name, plan.tasks ? { description: plan.description ?? '', tasks: plan.tasks } : undefined, {
        mode: 'daily', startedBy: `the schedule \`${dailyScheduleId(plan.name)}\``,
      }),
    },
    policies: {
      // Never two runs on the same tables at once, and never a day lost: a run that falls due
      // while another runs (a slow day, or a backfill's runs, which are buffered too) starts
      // after it, in order. SKIP made a backfill swallow the daily runs due meanwhile (#16 item 11).
      overlap: OVERLAP[s.overlap],
      catchupWindow: `${s.catchupWindowHours ?? config.schedule.catchup_window_hours}h`,
    },
  };
}

export function scheduleDefinitions(config: EmrflowConfig, plans: ScheduledPlan[] = [SONGS_ETL_SCHEDULE]): ScheduleOptions[] {
  return [
    ...plans.filter((p) => p.schedule).map((p) => dailySchedule(config, p)),
    {
      scheduleId: SWEEP_HOURLY,
      spec: { intervals: [{ every: '1h' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'terminateEmrClusters',
        args: [{}],
        taskQueue: config.temporal.task_queue,
        workflowId: 'sweep-stray-clusters-scheduled',
        ...sweepMetadata(`the schedule \`${SWEEP_HOURLY}\``, runPlace(config)),
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    },
  ];
}
