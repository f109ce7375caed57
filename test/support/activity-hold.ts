// Holds one activity of a real worker at a chosen point, so a fault test can kill the worker or
// cancel the run exactly there: "before" the activity does anything, "during" it (it runs on
// while held: a waiting activity keeps polling and heartbeating), or "after" it did its effect
// but before the result reaches Temporal (the response is lost with the worker).
import type { EmrflowActivities } from '../../workflows/shared';

export interface Hold {
  activity: keyof EmrflowActivities;
  when: 'before' | 'during' | 'after';
}

export const DURING_AFTER_MS = 3_000;

/** "createCluster:after" → a Hold; undefined for an empty string. */
export function parseHold(text: string | undefined): Hold | undefined {
  if (!text) return undefined;
  const [activity, when] = text.split(':');
  if (when !== 'before' && when !== 'during' && when !== 'after') throw new Error(`hold ${text}: expected <activity>:before|during|after`);
  return { activity: activity as Hold['activity'], when };
}

/**
 * Wraps `activities` so that the first call of hold.activity awaits `held()` at hold.when. Only
 * the first call: a retry after the fault goes through.
 */
export function withHold<T extends object>(activities: T, hold: Hold | undefined, held: (at: Hold) => Promise<void>): T {
  if (!hold) return activities;
  const original = (activities as Record<string, (...args: unknown[]) => Promise<unknown>>)[hold.activity];
  if (!original) throw new Error(`no activity ${hold.activity} to hold`);
  let fired = false;
  const wrapped = async (...args: unknown[]) => {
    const first = !fired;
    fired = true;
    if (first && hold.when === 'before') await held(hold);
    if (first && hold.when === 'during') {
      // The activity works on; the hold begins once it has had time for a first poll and the
      // heartbeat that records its progress on the server.
      original(...args).catch(() => undefined);
      await new Promise((r) => setTimeout(r, DURING_AFTER_MS));
      await held(hold);
    }
    const result = await original(...args);
    if (first && hold.when === 'after') await held(hold);
    return result;
  };
  return { ...activities, [hold.activity]: wrapped };
}
