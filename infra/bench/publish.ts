// npm run bench:publish — what publishing costs on S3 as the lake grows, against moto: a daily run's
// publish (the protocol of activities/publish, its month's songplays and time partitions, users,
// state, songs of the year, artists, rejects) on a lake with 1 month of songplays already published,
// then 12 months. Side by side, a publish that swaps whole tables (songplays and time as one
// directory each), which is what a rename-per-table design costs on S3. And the lake lock's
// uncontended cost: a run that does nothing, with and without withLakeLock, on a dev server.
// BENCH_SMOKE=1: one run per cell, one file per partition, two lock runs: checks that it works.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLockActivities } from '../../activities/publish/lock-activities';
import { publish } from '../../activities/publish/protocol';
import { S3LakeStorage } from '../../activities/publish/s3-storage';
import { startMoto } from '../../test/support/moto';
import type { quickWriter } from '../../test/workflows/fixtures/lake-lock-workflows';
import { machineLine, quietWorkerLogs } from './bench-config';
import { fmt, percentile, table } from './stats';
import { metCount, size, summaryLine, type Figures } from './summary-line';
import { startTemporal } from './temporal';

const RUNS = size('BENCH_RUNS', 3, 1);
/** Parquet files Spark writes per partition (a few per task); every table partition gets this many. */
const FILES = size('BENCH_FILES_PER_PARTITION', 8, 1);
const LOCK_RUNS = size('BENCH_LOCK_RUNS', 10, 2);
const LOCK_TARGET_MS = 1000;
const BUCKET = 'bench-lake';

const months = (n: number) => Array.from({ length: n }, (_, i) => {
  const d = new Date(Date.UTC(2018, 10 - i, 1));
  return `year=${d.getUTCFullYear()}/month=${d.getUTCMonth() + 1}`;
});

async function putFiles(s3: S3Client, prefix: string, dir: string, tag: string): Promise<void> {
  await Promise.all(Array.from({ length: FILES }, (_, i) => s3.send(new PutObjectCommand({
    Bucket: BUCKET, Key: `${prefix}/${dir}/part-${String(i).padStart(5, '0')}.snappy.parquet`, Body: `${tag} ${dir} ${i}`,
  }))));
}

type Shape = 'partitions' | 'whole tables';

/** A lake with `monthCount` months published and run r1's daily staging for November 2018, moves per shape. */
async function seed(s3: S3Client, prefix: string, monthCount: number, shape: Shape): Promise<void> {
  const all = months(monthCount);
  for (const m of all) {
    await putFiles(s3, prefix, `songplays/${m}`, 'old');
    await putFiles(s3, prefix, `time/${m}`, 'old');
  }
  for (const dir of ['users', 'songs/year=2018', 'artists', '_state/users_latest']) await putFiles(s3, prefix, dir, 'old');
  const month = 'year=2018/month=11';
  // Whole tables: the run stages every month of songplays and time (the untouched ones copied as they are).
  const stagedMonths = shape === 'partitions' ? [month] : all;
  for (const m of stagedMonths) {
    await putFiles(s3, prefix, `_staging/r1/songplays/${m}`, 'new');
    await putFiles(s3, prefix, `_staging/r1/time/${m}`, 'new');
  }
  for (const dir of ['users', 'songs/year=2018', 'artists', '_state/users_latest', '_rejects']) await putFiles(s3, prefix, `_staging/r1/${dir}`, 'new');
  const table = (t: string) => (shape === 'partitions' ? `${t}/${month}` : t);
  const moves = [
    { table: 'songplays', staged: table('songplays'), target: table('songplays') },
    { table: 'time', staged: table('time'), target: table('time') },
    { table: 'users', staged: 'users', target: 'users' },
    { table: 'songs', staged: 'songs/year=2018', target: 'songs/year=2018' },
    { table: 'artists', staged: 'artists', target: 'artists' },
    { table: '_state', staged: '_state/users_latest', target: '_state/users_latest' },
    { table: '_rejects', staged: '_rejects', target: '_rejects/r1' },
  ];
  await s3.send(new PutObjectCommand({
    Bucket: BUCKET, Key: `${prefix}/_staging/r1/_manifest.json`,
    Body: JSON.stringify({ format: 1, run_id: 'r1', mode: 'daily', run_date: '2018-11-15', created_at: new Date().toISOString(), moves }),
  }));
}

interface Measure { copies: number; calls: number; seconds: number }

async function measurePublish(endpoint: string, monthCount: number, shape: Shape): Promise<Measure> {
  const s3 = client(endpoint);
  const prefix = `lake-${randomUUID().slice(0, 8)}`;
  await seed(s3, prefix, monthCount, shape);
  const calls: string[] = [];
  s3.middlewareStack.add((next, context) => async (args) => {
    calls.push(context.commandName ?? '?');
    return next(args);
  }, { step: 'initialize' });
  const started = performance.now();
  await publish(new S3LakeStorage(`s3://${BUCKET}/${prefix}`, s3), 'r1');
  const seconds = (performance.now() - started) / 1000;
  s3.destroy();
  return { seconds, copies: calls.filter((c) => c === 'CopyObjectCommand').length, calls: calls.length };
}

const client = (endpoint: string) => new S3Client({
  region: 'us-west-2', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

async function lockOverhead(): Promise<{ plain: number[]; locked: number[] }> {
  const temporal = await startTemporal();
  const taskQueue = `bench-${randomUUID()}`;
  try {
    const worker = await Worker.create({
      connection: temporal.native, taskQueue,
      workflowsPath: fileURLToPath(new URL('../../test/workflows/fixtures/lake-lock-workflows.ts', import.meta.url)),
      activities: createLockActivities(),
    });
    return await worker.runUntil(async () => {
      const time = async (locked: boolean) => {
        const started = performance.now();
        await temporal.client.workflow.execute<typeof quickWriter>('quickWriter', {
          taskQueue, workflowId: `bench-${randomUUID()}`, args: ['s3://bench-lake/lake', locked],
        });
        return performance.now() - started;
      };
      await time(true); // warm the worker's workflow cache and the server
      const plain: number[] = [];
      const locked: number[] = [];
      for (let i = 0; i < LOCK_RUNS; i++) {
        plain.push(await time(false));
        locked.push(await time(true));
      }
      return { plain, locked };
    });
  } finally {
    await temporal.stop();
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  quietWorkerLogs();
  console.log(await machineLine());
  const began = performance.now();
  const moto = await startMoto();
  const figures: Figures = {};
  let publishFlat: boolean | undefined; // set when the publish cells ran
  try {
    await client(moto.endpoint).send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    const cells = (['partitions', 'whole tables'] as Shape[]).flatMap((shape) => [1, 12].map((monthCount) => ({ shape, monthCount, runs: [] as Measure[] })));
    await measurePublish(moto.endpoint, 1, 'partitions'); // warm moto up: the first publish pays for it
    // Interleaved, so a change in the machine's load touches every cell alike.
    for (let run = 0; run < RUNS; run++) for (const c of cells) c.runs.push(await measurePublish(moto.endpoint, c.monthCount, c.shape));
    const med = (shape: Shape, monthCount: number, k: keyof Measure) =>
      percentile(cells.find((c) => c.shape === shape && c.monthCount === monthCount)!.runs.map((m) => m[k]), 50);
    const rows = (['partitions', 'whole tables'] as Shape[]).map((shape) => [
      shape === 'partitions' ? '**emrflow (moves per partition)**' : 'whole-table swap',
      med(shape, 1, 'copies'), med(shape, 12, 'copies'), `${fmt(med(shape, 12, 'copies') / med(shape, 1, 'copies'))}x`,
      fmt(med(shape, 1, 'seconds')), fmt(med(shape, 12, 'seconds')), `${fmt(med(shape, 12, 'seconds') / med(shape, 1, 'seconds'))}x`,
      med(shape, 1, 'calls'), med(shape, 12, 'calls'),
    ]);
    console.log(`\nDaily publish on S3 (moto), ${FILES} files per partition, median of ${RUNS} runs per cell:\n`);
    console.log(table(['publish', 'copies, 1 month', 'copies, 12 months', 'ratio', 's, 1 month', 's, 12 months', 'ratio', 'S3 calls, 1', 'S3 calls, 12'], rows));
    // The target: a daily publish copies no more with 12 months published than with 1.
    publishFlat = med('partitions', 12, 'copies') <= med('partitions', 1, 'copies');
    Object.assign(figures, {
      copies_1_month: med('partitions', 1, 'copies'), copies_12_months: med('partitions', 12, 'copies'),
      'copies_12/1': fmt(med('partitions', 12, 'copies') / med('partitions', 1, 'copies')),
      'swap_copies_12/1': fmt(med('whole tables', 12, 'copies') / med('whole tables', 1, 'copies')),
    });
  } finally {
    await moto.stop();
  }
  const { plain, locked } = await lockOverhead();
  const [p, l] = [percentile(plain, 50), percentile(locked, 50)];
  console.log(`\nLake lock, uncontended (a run that does nothing, ${LOCK_RUNS} runs each, ms):\n`);
  console.log(table(['run', 'median', 'p95', 'max'], [
    ['without the lock', fmt(p, 0), fmt(percentile(plain, 95), 0), fmt(Math.max(...plain), 0)],
    ['with withLakeLock', fmt(l, 0), fmt(percentile(locked, 95), 0), fmt(Math.max(...locked), 0)],
    ['**lock overhead**', `**${fmt(l - p, 0)}**`, fmt(percentile(locked, 95) - percentile(plain, 95), 0), ''],
  ]));
  console.log(`\ntarget < ${LOCK_TARGET_MS} ms: ${l - p < LOCK_TARGET_MS ? 'met' : 'NOT met'}; the benchmark took ${fmt((performance.now() - began) / 1000, 0)} s`);
  console.log(summaryLine('publish', {
    ...figures, lock_overhead_ms: fmt(l - p, 0), 'lock/target': fmt((l - p) / LOCK_TARGET_MS), met: metCount([publishFlat === true, l - p < LOCK_TARGET_MS]),
  }));
}

main().catch((e: unknown) => {
  console.error(`bench:publish: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
