// #24 item 6: the worker's keep-alive heartbeat must not erase an activity's own progress. A
// sensor heartbeats {path, waitedSeconds}; a retry after a worker crash reads them back to keep
// its timeout. A bare keep-alive heartbeat in between used to leave nothing to read back.
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { expect, test } from 'vitest';
import { keepAlive, KEEP_ALIVE_EVERY_MS } from '../../infra/worker/keep-alive';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('every keep-alive heartbeat carries the details the activity (or its previous attempt) last sent', async () => {
  const resumed = { path: 's3://lake/in/log_data/2018/11/', waitedSeconds: 100 };
  const env = new MockActivityEnvironment({ activityType: 'waitForInput', heartbeatDetails: resumed }, { interceptors: [keepAlive] });
  const seen: unknown[] = [];
  env.on('heartbeat', (d: unknown) => seen.push(d));

  await env.run(async () => {
    await sleep(KEEP_ALIVE_EVERY_MS + 500); // only the keep-alive beats here
    Context.current().heartbeat({ ...resumed, waitedSeconds: 104 });
    await sleep(KEEP_ALIVE_EVERY_MS + 500);
  });

  expect(seen.length).toBeGreaterThanOrEqual(3);
  expect(seen[0], 'before the activity beats itself, the previous attempt\'s progress is kept').toEqual(resumed);
  expect(seen.at(-1), 'after, the activity\'s own latest progress').toEqual({ ...resumed, waitedSeconds: 104 });
  expect(seen.filter((d) => d === undefined)).toEqual([]);
}, 20_000);
