// Replays the recorded histories of every workflow (happy path, failures, cancel, worker kill:
// test/replay/histories, recorded by record-histories.ts) against today's workflow code. A change
// that would break runs in flight (a different command where history has another) fails here:
// put it behind patched() (see README, "Changing workflow code while runs are in flight").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { workflowsEntry } from '../../infra/paths';

const dir = join(import.meta.dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('every workflow type has recorded histories of its happy path, a failure, a cancel and a worker kill', () => {
  expect(files).toEqual(expect.arrayContaining([
    'songs-etl-happy.json', 'songs-etl-step-failure.json', 'songs-etl-cancel.json', 'songs-etl-worker-kill.json',
    'sparkify-reports-happy.json', 'sparkify-reports-task-failure.json', 'sweeper-happy.json', 'sweeper-bad-input.json',
    'lake-lock-granted-released.json',
  ]));
});

test('today\'s workflow code replays every recorded history without a non-determinism error', async () => {
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: proto.temporal.api.history.v1.History.decode(
      Buffer.from((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { history: string }).history, 'base64')),
  }));
  const failed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: workflowsEntry }, histories)) {
    if (result.error) failed.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failed).toEqual([]);
}, 120_000);
