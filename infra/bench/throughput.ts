// npm run bench:throughput — how much one worker holds: the real songsEtl workflow and
// activities over a simulated EMR provider (no Spark; every call takes an API round trip), one
// worker process, the benchmark's own dev server.
//   1. throughput: RUNS runs started at once whose steps end at their first poll: completed
//      runs per second, first start to last completion.
//   2. capacity: CONCURRENT runs started at once whose steps are held: how many wait on their
//      step at the same time (waitForStep running in the worker, polling every 30 s and
//      heartbeating) and the worker's RSS meanwhile; then the steps are released.
// Side by side: the worker with the SDK's defaults (emrflow before this benchmark) and with
// emrflow's tuning (infra/worker/create-worker.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { machineLine, tempDir } from './bench-config';
import { sampleRss } from './memory';
import { fmt, table } from './stats';
import { startTemporal } from './temporal';

const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const POLL_SECONDS = 30; // [emr] step_poll_seconds' default
const API_LATENCY_MS = 50;
const HOLD_MS = 30_000; // a full poll interval with every run waiting
const TARGET_RUNS = 1000;
const TARGET_MIB = 1024;

interface Stats { inflight: number; running: number }
interface Result { label: string; runsPerSecond: number; startRate: number; maxInflight: number; peakMiB: number; holdMiB: number; drainSeconds: number }

function startWorker(dir: string, address: string, taskQueue: string, tuning: string): Promise<{ child: ChildProcess; stats: () => Stats }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'throughput-worker.ts')], {
    env: {
      ...process.env, BENCH_DIR: dir, BENCH_ADDRESS: address, BENCH_TASK_QUEUE: taskQueue, BENCH_TUNING: tuning,
      BENCH_POLL_SECONDS: String(POLL_SECONDS), BENCH_STEP_SECONDS: '0', BENCH_API_LATENCY_MS: String(API_LATENCY_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stats: Stats = { inflight: 0, running: 0 };
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve({ child, stats: () => stats });
      else if (line.startsWith('{')) stats = JSON.parse(line) as Stats;
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startRuns(client: Client, taskQueue: string, prefix: string, n: number) {
  const handles = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) =>
      client.workflow.start('songsEtl', { workflowId: `${prefix}-${i + j}`, taskQueue, args: [{ mode: 'full' }] }));
    handles.push(...await Promise.all(batch));
  }
  return handles;
}

async function measure(client: Client, address: string, label: string, tuning: string): Promise<Result> {
  const tmp = tempDir('throughput');
  const taskQueue = `bench-${randomUUID()}`;
  const { child, stats } = await startWorker(tmp.dir, address, taskQueue, tuning);
  const rss = sampleRss(child.pid!);
  try {
    // 1. Throughput: steps end at their first poll.
    let t0 = performance.now();
    const quick = await startRuns(client, taskQueue, `bench-tp-${tuning}-quick`, RUNS);
    await Promise.all(quick.map((h) => h.result()));
    const runsPerSecond = RUNS / ((performance.now() - t0) / 1000);
    process.stderr.write(`  ${label}: ${RUNS} runs completed at ${fmt(runsPerSecond, 1)} runs/s\n`);

    // 2. Capacity: steps held until every run waits on its step, for a full poll interval.
    const hold = join(tmp.dir, 'hold');
    writeFileSync(hold, '');
    t0 = performance.now();
    const handles = await startRuns(client, taskQueue, `bench-tp-${tuning}-held`, CONCURRENT);
    const startRate = CONCURRENT / ((performance.now() - t0) / 1000);
    let maxInflight = 0;
    let lastGrowth = performance.now();
    while (stats().inflight < CONCURRENT && performance.now() - lastGrowth < 20_000) {
      await sleep(500);
      if (stats().inflight > maxInflight) { maxInflight = stats().inflight; lastGrowth = performance.now(); }
    }
    process.stderr.write(`  ${label}: ${stats().inflight} runs waiting on their step; holding ${HOLD_MS / 1000} s\n`);
    const holdStart = performance.now();
    while (performance.now() - holdStart < HOLD_MS) {
      await sleep(500);
      maxInflight = Math.max(maxInflight, stats().inflight);
    }
    const holdMiB = rss.last();
    rmSync(hold);
    const t1 = performance.now();
    await Promise.all(handles.map((h) => h.result()));
    const drainSeconds = (performance.now() - t1) / 1000;
    process.stderr.write(`  ${label}: ${CONCURRENT} held runs completed ${fmt(drainSeconds, 1)} s after release\n`);
    return { label, runsPerSecond, startRate, maxInflight, peakMiB: rss.peak(), holdMiB, drainSeconds };
  } finally {
    rss.stop();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    tmp.remove();
  }
}

async function main(): Promise<void> {
  console.log(await machineLine());
  const temporal = await startTemporal();
  const results: Result[] = [];
  try {
    results.push(await measure(temporal.client, temporal.address, 'SDK defaults (before)', 'sdk-defaults'));
    results.push(await measure(temporal.client, temporal.address, 'emrflow tuning (now)', 'emrflow'));
  } finally {
    await temporal.stop();
  }
  console.log(`\nsimulated EMR: ${API_LATENCY_MS} ms per API call, steps polled every ${POLL_SECONDS} s; throughput: ${RUNS} runs started at once, steps end at the first poll; capacity: ${CONCURRENT} runs started at once, steps held ≥ ${HOLD_MS / 1000} s after the last run started waiting\n`);
  console.log(table(
    ['worker', 'completed runs/s', 'capacity: runs started/s', 'max runs waiting on their step at once', 'worker RSS while waiting (MiB)', 'peak RSS (MiB)', 'held runs done after release (s)'],
    results.map((r) => [r.label, fmt(r.runsPerSecond, 1), fmt(r.startRate, 0), r.maxInflight, fmt(r.holdMiB, 0), fmt(r.peakMiB, 0), fmt(r.drainSeconds, 1)]),
  ));
  const now = results.at(-1)!;
  const met = now.maxInflight >= TARGET_RUNS && now.peakMiB < TARGET_MIB;
  console.log(`\ntarget: ≥ ${TARGET_RUNS} runs waiting at once under ${TARGET_MIB} MiB on one worker: ${met ? 'MET' : 'NOT MET'} (${now.maxInflight} waiting, peak ${fmt(now.peakMiB, 0)} MiB)`);
}

main().catch((e: unknown) => {
  console.error(`bench:throughput: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
