// When a pipeline's data for a run date is due, and the id of the workflow that watches it.
// Pure: bundled into the workflow sandbox (Intl is there; the zone rules are V8's).
import { addDays, zonedToUtc } from '../infra/schedules/zoned-time';

/** The run for `runDate` must have succeeded by `time` (HH:MM[:SS]) on the next day in `timeZone`. */
export function deadlineAt(runDate: string, time: string, timeZone: string): Date {
  const [h, m, s] = time.split(':').map(Number);
  return new Date(zonedToUtc(addDays(runDate, 1), h!, m!, timeZone).getTime() + (s ?? 0) * 1000);
}

/** One watcher per pipeline and date: `songs-etl-2018-11-15-deadline`. */
export const deadlineWatchId = (pipeline: string, runDate: string): string => `${pipeline}-${runDate}-deadline`;
