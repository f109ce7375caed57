// The publish activities as the runner calls them: an intent written by etl.py (the Python side of
// the same protocol) is completed, publishStaged heartbeats each move, bad manifests fail in one
// line with nothing touched, a retry after success is a no-op, and cleanStaging keeps young and
// intent-referenced staging.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../../support/moto';
import { localLake, manifestMoves, PUBLISHED, protocolLeftovers, s3Lake, staged, type Lake } from './lake-fixture';
import { activitiesFor, runActivity } from './publish-support';

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

const lakes: Record<'local' | 's3', (name: string) => Lake> = {
  local: (name) => localLake(join(root, name)),
  s3: (name) => s3Lake(s3, BUCKET, name),
};

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

describe.each(['local', 's3'] as const)('on %s', (kind) => {
  const lake = lakes[kind];
  const acts = () => activitiesFor(s3);

  it("completes an intent etl.py wrote (Python's JSON layout, first move put aside), as the next run's recoverPublish", async () => {
    const reference = lake('py-reference');
    await reference.write({ ...PUBLISHED, ...staged('r2') });
    await runActivity(acts().publishStaged, { outputUri: reference.uri, runId: 'r2' });

    const l = lake('py-intent');
    const { 'songplays/year=2018/month=11/part-0.parquet': a, 'songplays/year=2018/month=11/part-1.parquet': b, ...rest } = PUBLISHED;
    // What json.dump(intent, f) writes (", " and ": " separators, no indent) after move 0's first half.
    const intent = `{"format": 1, "run_id": "r2", "staging": "_staging/r2", "previous": "_previous/r2", "created_at": "2018-11-16T07:00:00+00:00", "moves": ${JSON.stringify(manifestMoves('r2')).replace(/,"/g, ', "').replace(/":/g, '": ')}, "progress": {"0": "backed-up"}}`;
    await l.write({
      ...rest, ...staged('r2'),
      '_previous/r2/songplays/year=2018/month=11/part-0.parquet': a!,
      '_previous/r2/songplays/year=2018/month=11/part-1.parquet': b!,
      '_publish/intent.json': intent,
    });
    expect((await runActivity(acts().recoverPublish, { outputUri: l.uri })).result).toEqual({ recovered: 'r2' });
    expect(await l.snapshot()).toEqual(await reference.snapshot());
    expect((await runActivity(acts().recoverPublish, { outputUri: l.uri })).result).toEqual({ recovered: null });
  });

  it('publishStaged heartbeats each move with what it is doing; a retry after success returns the same targets', async () => {
    const l = lake('heartbeats');
    await l.write({ ...PUBLISHED, ...staged('r2') });
    const { result, heartbeats } = await runActivity(acts().publishStaged, { outputUri: l.uri, runId: 'r2' });
    const moves = manifestMoves('r2');
    expect(result.published).toEqual(moves.map((m) => m.target));
    expect(result.seconds).toBeGreaterThanOrEqual(0);
    expect([...new Set(heartbeats.flatMap((h) => (h.move === undefined ? [] : [h.move])))]).toEqual(moves.map((_, i) => i));
    expect(heartbeats.map((h) => h.doing)).toContain('installing users');
    expect(heartbeats.map((h) => h.doing)).toContain('putting time/year=2018/month=11 aside under _previous/r2');

    const retry = await runActivity(acts().publishStaged, { outputUri: l.uri, runId: 'r2' });
    expect(retry.result.published).toEqual(result.published);
  });

  it('a manifest with a target outside the lake fails in one line naming it, and nothing is touched', async () => {
    const l = lake('bad-manifest');
    const files = { ...PUBLISHED, ...staged('r2') };
    files['_staging/r2/_manifest.json'] = JSON.stringify({
      format: 1, run_id: 'r2', mode: 'daily', run_date: '2018-11-15', created_at: 'x',
      moves: [{ table: 'users', staged: 'users', target: '../users' }],
    });
    await l.write(files);
    const before = await l.snapshot();
    const f = await failureOf(runActivity(acts().publishStaged, { outputUri: l.uri, runId: 'r2' }));
    expect(f).toMatchObject({ type: 'PublishInputInvalid', nonRetryable: true });
    expect(f.message).toMatch(/_staging\/r2\/_manifest\.json: moves\[0\]: target "\.\.\/users" is not a plain relative path$/);
    expect(f.message).not.toContain('\n');
    expect(await l.snapshot()).toEqual(before);
  });

  it('a run whose staging never completed (no manifest) is not published, and says where the manifest was expected', async () => {
    const l = lake('no-manifest');
    const files = { ...PUBLISHED, ...staged('r2') };
    delete files['_staging/r2/_manifest.json'];
    await l.write(files);
    const before = await l.snapshot();
    const f = await failureOf(runActivity(acts().publishStaged, { outputUri: l.uri, runId: 'r2' }));
    expect(f.message).toMatch(/^nothing to publish for run r2: \S+_staging\/r2\/_manifest\.json does not exist/);
    expect(await l.snapshot()).toEqual(before);
  });
});

describe('cleanStaging', () => {
  const HOUR = 3_600_000;

  async function age(dir: string, hours: number): Promise<void> {
    const t = new Date(Date.now() - hours * HOUR);
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await age(join(dir, e.name), hours);
      else await utimes(join(dir, e.name), t, t);
    }
    await utimes(dir, t, t);
  }

  /** Three stagings: r1 old and unreferenced, r2 old but named by the pending intent, r3 young. */
  async function seed(l: Lake): Promise<void> {
    await l.write({ ...PUBLISHED, ...staged('r1'), ...staged('r2'), ...staged('r3') });
    await l.write({
      '_publish/intent.json': JSON.stringify({
        format: 1, run_id: 'r2', staging: '_staging/r2', previous: '_previous/r2', created_at: 'x', moves: manifestMoves('r2'), progress: {},
      }),
    });
  }
  const stagings = async (l: Lake) => [...new Set(Object.keys(await l.snapshot()).filter((k) => k.startsWith('_staging/')).map((k) => k.split('/')[1]))].sort();

  it('on the local file system removes only staging older than keepHours that no intent refers to', async () => {
    const l = lakes.local('clean');
    await seed(l);
    await age(join(l.uri, '_staging', 'r1'), 100);
    await age(join(l.uri, '_staging', 'r2'), 100);
    await age(join(l.uri, '_staging', 'r3'), 1);
    const { result } = await runActivity(activitiesFor(s3).cleanStaging, { outputUri: l.uri, keepHours: 72 });
    expect(result.removed).toEqual([join(l.uri, '_staging', 'r1')]);
    expect(await stagings(l)).toEqual(['r2', 'r3']);
    await expect(stat(join(l.uri, '_staging', 'r1'))).rejects.toThrow(/ENOENT/);
  });

  it('on S3 keeps what is young, then (73 hours later) removes all but what the intent refers to', async () => {
    const l = lakes.s3('clean');
    await seed(l);
    const now = await runActivity(activitiesFor(s3).cleanStaging, { outputUri: l.uri, keepHours: 72 });
    expect(now.result.removed).toEqual([]);
    const later = activitiesFor(s3, () => new Date(Date.now() + 73 * HOUR));
    const { result } = await runActivity(later.cleanStaging, { outputUri: l.uri, keepHours: 72 });
    expect(result.removed).toEqual([`${l.uri}/_staging/r1`, `${l.uri}/_staging/r3`]);
    expect(await stagings(l)).toEqual(['r2']);
    expect(protocolLeftovers(await l.snapshot()).every((k) => k.startsWith('_staging/r2/') || k === '_publish/intent.json')).toBe(true);
  });
});
