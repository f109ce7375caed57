// Backfill of the daily schedule for a range of run dates. A scheduled run processes the day
// before its scheduled time, so run dates D1..D2 are the schedule's times on D1+1..D2+1.
// BUFFER_ALL starts them one after another, in order, never two at once.
import { ScheduleOverlapPolicy, type Backfill } from '@temporalio/client';
import type { EmrflowConfig } from '../config';
import { addDays, zonedToUtc } from './zoned-time';

export function dailyBackfill(config: EmrflowConfig, fromRunDate: string, toRunDate: string): Backfill {
  const tz = config.schedule.time_zone;
  return {
    start: zonedToUtc(addDays(fromRunDate, 1), 0, 0, tz),
    end: new Date(zonedToUtc(addDays(toRunDate, 2), 0, 0, tz).getTime() - 1000),
    overlap: ScheduleOverlapPolicy.BUFFER_ALL,
  };
}
