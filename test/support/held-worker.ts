// A separate emrflow worker process for the fault tests: the same worker `emrflow worker` runs
// (createWorker + createActivities from the EMRFLOW_* environment), except that it holds one
// activity (EMRFLOW_TEST_HOLD=<activity>:before|after), writes EMRFLOW_TEST_HELD_MARKER when it
// gets there, and stays there until it is killed. Run: node --import tsx test/support/held-worker.ts
import { writeFileSync } from 'node:fs';
import { createActivities } from '../../activities';
import { loadConfig } from '../../infra/config';
import { workerConnection } from '../../infra/worker/connect';
import { createWorker } from '../../infra/worker/create-worker';
import { parseHold, withHold } from './activity-hold';

const env = process.env;
const { config } = loadConfig({ path: undefined });
const activities = withHold(
  createActivities(config, { jobScript: env.EMRFLOW_TEST_JOB_SCRIPT || undefined }),
  parseHold(env.EMRFLOW_TEST_HOLD),
  async (at) => {
    writeFileSync(env.EMRFLOW_TEST_HELD_MARKER!, `${JSON.stringify({ ...at, pid: process.pid })}\n`);
    process.stdout.write(`held at ${at.activity}:${at.when}\n`);
    await new Promise(() => {}); // until SIGKILL
  },
);
const connection = await workerConnection(config);
const worker = await createWorker({ connection, config, activities });
process.stdout.write(`worker polling task queue "${config.temporal.task_queue}"\n`);
await worker.run();
