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
      // A bare heartbeat would replace the activity's own progress details (a sensor's time
      // waited, say) with nothing, and a retry after a crash would start over from zero. So the
      // keep-alive repeats the last details this attempt sent, or the previous attempt's until it
      // sends its own: whatever the activity heartbeats goes through this wrapper first.
      let last: unknown = ctx.info.heartbeatDetails;
      const send = ctx.heartbeat;
      (ctx as { heartbeat: (details?: unknown) => void }).heartbeat = (details?: unknown) => {
        last = details;
        send(details);
      };
      const timer = setInterval(() => send(last), KEEP_ALIVE_EVERY_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});
