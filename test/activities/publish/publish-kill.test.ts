// Guarantee 2, publish is one recoverable step: a publish killed (SIGKILL, as a worker dies) at
// each point, on the local file system and on S3 (moto), is completed by the next run's
// recoverPublish or by a retry of the same run; the result equals an uninterrupted publish; no
// previous version was ever lost; nothing is left in _staging, _previous or _publish.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../support/moto';
import { localLake, PUBLISHED, protocolLeftovers, s3Lake, staged, type Files, type Lake } from './lake-fixture';
import { activitiesFor, expectReaderSafe, publishKilledAt, runActivity } from './publish-support';

let moto: Moto;
let s3: S3Client;
let root: string;
const BUCKET = 'emrflow-lake';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'emrflow-publish-'));
  moto = await startMoto();
  s3 = new S3Client({
    region: 'us-west-2', endpoint: moto.endpoint, forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

// Move 0 replaces a month, 1 removes one (staged: null), 2 replaces a table, 4 is new, 6 is per run.
const POINTS = [
  'before-intent', 'intent-written',
  'backup-unrecorded:0', 'backed-up:0', 'install-unrecorded:0', 'installed:0',
  'backed-up:1', 'installed:1', 'backed-up:2', 'installed:3', 'backed-up:4', 'installed:5',
  'previous-removed', 'staging-removed',
];
// On S3 a move is copy-then-delete: also inside a copy, and between a copy and its deletes.
const S3_POINTS = [...POINTS, 'step:(1/', 'backup-copied:0', 'install-copied:0', 'install-copied:2'];

const backends: Record<'local' | 's3', { lake: (name: string) => Lake; points: string[]; endpoint: () => string }> = {
  local: { lake: (name) => localLake(join(root, name)), points: POINTS, endpoint: () => '' },
  s3: { lake: (name) => s3Lake(s3, BUCKET, name), points: S3_POINTS, endpoint: () => moto.endpoint },
};

const activities = () => activitiesFor(s3);

async function publishedLake(lake: Lake, ...runIds: string[]): Promise<Files> {
  await lake.write(PUBLISHED);
  for (const runId of runIds) {
    await lake.write(staged(runId));
    await runActivity(activities().publishStaged, { outputUri: lake.uri, runId });
  }
  return lake.snapshot();
}

describe.each(['local', 's3'] as const)('publish on %s', (kind) => {
  const backend = backends[kind];
  let reference: Files;

  beforeAll(async () => {
    reference = await publishedLake(backend.lake('reference'), 'r2');
  });

  it('an uninterrupted publish installs every move, keeps what it does not touch and leaves nothing behind', async () => {
    expect(reference['songplays/year=2018/month=11/part-0.parquet']).toBe('plays of November by r2');
    expect(reference['songplays/year=2018/month=11/part-1.parquet']).toBeUndefined();
    expect(reference['songplays/year=2018/month=10/part-0.parquet']).toBe(PUBLISHED['songplays/year=2018/month=10/part-0.parquet']);
    expect(reference['artists/part-0.parquet']).toBe(PUBLISHED['artists/part-0.parquet']);
    expect(Object.keys(reference).filter((k) => k.startsWith('time/'))).toEqual([]);
    expect(reference['songs/year=2017/part-0.parquet']).toBe('songs of 2017 by r2');
    expect(reference['_rejects/r2/part-0.json']).toBe('rejects of r2');
    expect(JSON.parse(reference['_reports/r2.json']!)).toMatchObject({ published: true });
    expect(protocolLeftovers(reference)).toEqual([]);
  });

  const by = (point: string, i: number) => (point === 'before-intent'
    ? 'a retry of the same run (the next run finds no intent: nothing was published)'
    : i % 2 === 0 ? "the next run's recoverPublish" : 'a retry of the same run');
  it.each(backend.points.map((point, i) => [point, by(point, i)] as const))(
    'killed at %s, then completed by %s',
    async (point, by) => {
      const lake = backend.lake(`kill-${point.replace(/\W+/g, '-')}`);
      await lake.write({ ...PUBLISHED, ...staged('r2') });
      const before = await lake.snapshot();

      const killed = await publishKilledAt(lake.uri, 'r2', point, backend.endpoint());
      expect(killed.signal, killed.output).toBe('SIGKILL');
      expectReaderSafe('r2', point, before, reference, await lake.snapshot());

      // Killed before the intent existed, nothing was published: only a retry of the run publishes it.
      const { recovered } = (await runActivity(activities().recoverPublish, { outputUri: lake.uri })).result;
      expect(recovered).toBe(point === 'before-intent' ? null : 'r2');
      if (by.startsWith('a retry')) {
        const { published } = (await runActivity(activities().publishStaged, { outputUri: lake.uri, runId: 'r2' })).result;
        expect(published).toContain('users');
      }
      const after = await lake.snapshot();
      expect(protocolLeftovers(after)).toEqual([]);
      expect(after).toEqual(reference);
    },
  );

  it("the next run's publishStaged first completes the publish a killed run left, then publishes its own", async () => {
    const expected = await publishedLake(backend.lake('sequence'), 'r2', 'r3');
    const lake = backend.lake('interrupted-then-next');
    await lake.write({ ...PUBLISHED, ...staged('r2') });
    expect((await publishKilledAt(lake.uri, 'r2', 'backed-up:2', backend.endpoint())).signal).toBe('SIGKILL');
    await lake.write(staged('r3'));
    await runActivity(activities().publishStaged, { outputUri: lake.uri, runId: 'r3' });
    const after = await lake.snapshot();
    expect(after['users/part-0.parquet']).toBe('users by r3');
    expect(after['_rejects/r2/part-0.json']).toBe('rejects of r2');
    expect(after).toEqual(expected);
  });
});

it('both implementations publish the same tables', async () => {
  const local = await publishedLake(backends.local.lake('compare'), 'r2');
  const remote = await publishedLake(backends.s3.lake('compare'), 'r2');
  expect(remote).toEqual(local);
});
