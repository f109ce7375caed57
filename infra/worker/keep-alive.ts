// Short activities (AWS calls, staging, reading the report) never heartbeat by themselves, so
// when the worker running one was killed, Temporal only noticed at the activity's
// start-to-close timeout: two minutes of a stalled run per crash. This keeps a heartbeat going
// while such an activity runs, so a dead worker is seen after the heartbeat timeout set in
// workflows/activity-options.ts instead.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** Activities that heartbeat with progress details of their own (a restart resumes from them). */
const HEARTBEAT_THEMSELVES = new Set(['waitForStep', 'publishStaged', 'recoverPublish']);
export const KEEP_ALIVE_EVERY_MS = 3_000;

export const keepAlive: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      if (HEARTBEAT_THEMSELVES.has(ctx.info.activityType)) return next(input);
      const timer = setInterval(() => ctx.heartbeat(), KEEP_ALIVE_EVERY_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});
