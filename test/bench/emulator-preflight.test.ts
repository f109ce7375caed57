// The simulated AWS account the EMR benchmarks run in (infra/bench/emr-emulator.ts: moto with
// buckets, roles and input objects) passes the real preflight of a full and of a daily run.
// When preflight gains a check the emulator does not satisfy, bench:cost fails before any
// cluster (issue #30: "FAIL input s3://bench-lake/in/song_data/ no objects"); this fails first,
// naming the check.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { startEmulator } from '../../infra/bench/emr-emulator';
import type { Moto } from '../support/moto';
import { testTempDir } from '../support/temp-dir';
import type { EmrflowConfig } from '../../infra/config';

let moto: Moto | undefined;
let config: EmrflowConfig;
beforeAll(async () => {
  // The benchmark's config names a Temporal address; preflight does not dial it.
  ({ moto, config } = await startEmulator('127.0.0.1:7233', testTempDir('emrflow-bench-emulator-')));
});
afterAll(async () => {
  await moto?.stop();
});

test.each([
  { mode: 'full' as const, runDate: '2026-01-01' },
  { mode: 'daily' as const, runDate: '2018-11-15' },
])('a $mode run passes every preflight check in the benchmarks\' simulated account', async (run) => {
  const result = await createActivities(config).preflight(run);
  expect(result.provider).toBe('emr');
  expect(result.checks.length).toBeGreaterThan(5);
  expect(result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
});
