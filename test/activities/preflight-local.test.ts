// The local provider's preflight on real directories: what a run on this machine needs, and a
// failed check for each missing piece with the command that fixes it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { checkProvider, formatCheck } from '../../activities/preflight';
import { localChecks } from '../../activities/preflight/local-checks';
import { sparkSubmit } from '../../infra/paths';
import { testConfig } from '../support/temporal';
import { writeTinyDataset } from '../support/tiny-dataset';
import { testTempDir } from '../support/temp-dir';

const noAws = () => { throw new Error('the local provider must not build AWS clients'); };

function configWith(input: string, output: string) {
  return testConfig({ EMRFLOW_DATALAKE_INPUT_DATA: input, EMRFLOW_DATALAKE_OUTPUT_DATA: output });
}

test('a prepared machine passes: input layout, writable output, spark-submit and java', async () => {
  const dir = testTempDir('emrflow-preflight-');
  writeTinyDataset(join(dir, 'in'));
  const result = await createActivities(configWith(join(dir, 'in'), join(dir, 'lake', 'new'))).preflight();
  expect(result.provider).toBe('local');
  expect(result.checks.map(formatCheck)).toEqual([
    `ok   input ${join(dir, 'in')}  has song_data/ and log_data/`,
    `ok   output ${join(dir, 'lake', 'new')}  will be created under ${dir} (writable)`,
    `ok   spark-submit  ${sparkSubmit}`,
    expect.stringMatching(/^ok {3}java {2}\/\S+\/java$/),
  ]);
});

test('missing input fails the preflight with PreflightFailed naming the fix', async () => {
  const dir = testTempDir('emrflow-preflight-');
  mkdirSync(join(dir, 'in', 'song_data'), { recursive: true });
  const err = await createActivities(configWith(join(dir, 'in'), join(dir, 'lake'))).preflight().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe('PreflightFailed');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message.split('\n')).toEqual([
    'preflight (local provider): 1 of 4 checks failed; no cluster was created',
    `FAIL input ${join(dir, 'in')}  has no log_data/ — fix: run \`npm start\` to generate the sample data, or point [datalake] input_data in dl.cfg at a directory with song_data/ and log_data/`,
  ]);
});

test('no spark-submit in .venv and no java: each a failed check with its fix', async () => {
  const dir = testTempDir('emrflow-preflight-');
  writeTinyDataset(join(dir, 'in'));
  const config = configWith(join(dir, 'in'), join(dir, 'lake'));
  const checks = await localChecks(config, { sparkSubmit: join(dir, '.venv/bin/spark-submit'), env: { PATH: join(dir, 'empty') } });
  expect(checks.filter((c) => !c.ok).map(formatCheck)).toEqual([
    `FAIL spark-submit  ${join(dir, '.venv/bin/spark-submit')} is missing — fix: run \`npm run setup\` (creates .venv with pyspark)`,
    'FAIL java  no java on PATH — fix: install a Java 17 runtime (e.g. `apt-get install openjdk-17-jre-headless`) and put java on PATH',
  ]);
  const withBadHome = await localChecks(config, { sparkSubmit, env: { JAVA_HOME: join(dir, 'jdk'), PATH: process.env.PATH } });
  expect(withBadHome.find((c) => c.name === 'java')).toMatchObject({ ok: false, detail: `JAVA_HOME is ${join(dir, 'jdk')} but ${join(dir, 'jdk', 'bin', 'java')} is missing` });
  // The local provider never touches AWS, whatever the [aws] section says.
  expect((await checkProvider(config, { sparkSubmit, awsClients: noAws })).checks.every((c) => c.ok)).toBe(true);
});
