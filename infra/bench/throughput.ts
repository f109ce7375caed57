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
//   3. fan-out: FANOUT_RUNS runs of bench-fanout (infra/bench/pipelines/fanout.ts: 10 parallel
//      spark tasks on one cluster, the generic runPipeline workflow) started at once with their
//      steps held: how long until every task waits on its step, how many wait at once, and the
//      worker's RSS; then the steps are released. emrflow's tuning only.
// Every run writes a lake of its own (lake-per-run.ts): one lake's lock would let one run at a time hold steps.
// BENCH_ONLY=runs or BENCH_ONLY=fanout runs one part. BENCH_SMOKE=1: a handful of runs, emrflow's
// tuning only, 1 s polls and a 2 s hold, to check that the benchmark works, not its targets.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { machineLine, tempDir } from './bench-config';
import { sampleRss } from './memory';
import { fmt, table } from './stats';
import { metCount, size, SMOKE, summaryLine, type Figures } from './summary-line';
import { startTemporal } from './temporal';

const CONCURRENT = size('BENCH_CONCURRENT', 1000, 5);
const RUNS = size('BENCH_RUNS', 300, 3);
const POLL_SECONDS = SMOKE ? 1 : 30; // [emr] step_poll_seconds' default (smoke: held runs end soon after release)
const API_LATENCY_MS = 50;
const HOLD_MS = SMOKE ? 2_000 : 30_000; // a full poll interval with every run waiting
const TARGET_RUNS = 1000;
const TARGET_MIB = 1024;
const FANOUT_RUNS = size('BENCH_FANOUT_RUNS', 1000, 2);
const FANOUT_WIDTH = 10; // spark tasks per bench-fanout run
const TARGET_TASKS = 10_000;
const ONLY = process.env.BENCH_ONLY;
// A loaded machine can take very long to start them all: the figures are printed whatever happened by then.
const FANOUT_MAX_WAIT_S = Number(process.env.BENCH_FANOUT_MAX_WAIT_S ?? 600);
const FANOUT_MAX_DRAIN_S = Number(process.env.BENCH_FANOUT_MAX_DRAIN_S ?? 300);

interface Stats { inflight: number; running: number; cached?: number; activities?: number; heapMiB?: number }
interface Result { label: string; runsPerSecond: number; startRate: number; maxInflight: number; peakMiB: number; holdMiB: number; drainSeconds: number }
interface FanoutResult {
  runs: number; tasks: number; startSeconds: number; allWaitingSeconds: number; maxInflight: number; minHeld: number;
  holdMiB: number; peakMiB: number; drainSeconds: number; held: Stats;
}

function startWorker(dir: string, address: string, taskQueue: string, tuning: string, pipelines = 'default'): Promise<{ child: ChildProcess; stats: () => Stats }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'throughput-worker.ts')], {
    env: {
      ...process.env, BENCH_DIR: dir, BENCH_ADDRESS: address, BENCH_TASK_QUEUE: taskQueue, BENCH_TUNING: tuning,
      BENCH_POLL_SECONDS: String(POLL_SECONDS), BENCH_STEP_SECONDS: '0', BENCH_API_LATENCY_MS: String(API_LATENCY_MS),
      BENCH_PIPELINES: pipelines,
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

async function startRuns(client: Client, taskQueue: string, prefix: string, n: number, pipeline?: string) {
  const handles = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => pipeline
      ? client.workflow.start('runPipeline', { workflowId: `${prefix}-${i + j}`, taskQueue, args: [{ pipeline, runDate: '2026-01-01', mode: 'full' }] })
      : client.workflow.start('songsEtl', { workflowId: `${prefix}-${i + j}`, taskQueue, args: [{ mode: 'full' }] }));
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

async function measureFanout(client: Client, address: string): Promise<FanoutResult> {
  const tmp = tempDir('fanout');
  const taskQueue = `bench-${randomUUID()}`;
  const tasks = FANOUT_RUNS * FANOUT_WIDTH;
  const { child, stats } = await startWorker(tmp.dir, address, taskQueue, 'emrflow', 'bench');
  const rss = sampleRss(child.pid!);
  try {
    const hold = join(tmp.dir, 'hold');
    writeFileSync(hold, '');
    const t0 = performance.now();
    const handles = await startRuns(client, taskQueue, 'bench-fanout', FANOUT_RUNS, 'bench-fanout');
    const startSeconds = (performance.now() - t0) / 1000;
    let maxInflight = 0;
    let lastGrowth = performance.now();
    let allWaitingSeconds = NaN;
    // Until all wait, or 60 s without growth once some do (a loaded machine may take long to start any).
    while ((maxInflight === 0 || performance.now() - lastGrowth < 60_000) && performance.now() - t0 < FANOUT_MAX_WAIT_S * 1000) {
      await sleep(250);
      const now = stats().inflight;
      if (now > maxInflight) { maxInflight = now; lastGrowth = performance.now(); }
      if (now >= tasks) { allWaitingSeconds = (performance.now() - t0) / 1000; break; }
    }
    process.stderr.write(`  fan-out: ${stats().inflight} of ${tasks} tasks waiting on their step after ${fmt((performance.now() - t0) / 1000, 1)} s; holding ${HOLD_MS / 1000} s\n`);
    const holdStart = performance.now();
    let minHeld = stats().inflight;
    while (performance.now() - holdStart < HOLD_MS) {
      await sleep(500);
      maxInflight = Math.max(maxInflight, stats().inflight);
      minHeld = Math.min(minHeld, stats().inflight);
    }
    const holdMiB = rss.last();
    const held = stats();
    process.stderr.write(`  fan-out: while held ${JSON.stringify(held)}, RSS ${fmt(holdMiB, 0)} MiB\n`);
    rmSync(hold);
    const t1 = performance.now();
    const drained = await Promise.race([Promise.all(handles.map((h) => h.result())).then(() => true, () => false), sleep(FANOUT_MAX_DRAIN_S * 1000).then(() => false)]);
    const drainSeconds = drained ? (performance.now() - t1) / 1000 : NaN;
    process.stderr.write(`  fan-out: ${drained ? `${FANOUT_RUNS} held runs completed ${fmt(drainSeconds, 1)} s after release` : `runs not all done ${FANOUT_MAX_DRAIN_S} s after release`}\n`);
    return { runs: FANOUT_RUNS, tasks, startSeconds, allWaitingSeconds, maxInflight, minHeld, holdMiB, peakMiB: rss.peak(), drainSeconds, held };
  } finally {
    rss.stop();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    tmp.remove();
  }
}

const ratio = (x: number, target: number) => `${fmt(x / target, 2)}x`;

async function main(): Promise<void> {
  console.log(await machineLine());
  const temporal = await startTemporal();
  const results: Result[] = [];
  let fanout: FanoutResult | undefined;
  try {
    if (ONLY !== 'fanout') {
      if (!SMOKE) results.push(await measure(temporal.client, temporal.address, 'SDK defaults (before)', 'sdk-defaults'));
      results.push(await measure(temporal.client, temporal.address, 'emrflow tuning (now)', 'emrflow'));
    }
    if (ONLY !== 'runs') fanout = await measureFanout(temporal.client, temporal.address);
  } finally {
    await temporal.stop();
  }
  const summary: string[] = [];
  const figures: Figures = {};
  const met: boolean[] = [];
  if (results.length > 0) {
    summary.push(runsFigures(results));
    const now = results.at(-1)!;
    Object.assign(figures, {
      runs_per_s: fmt(now.runsPerSecond, 1), waiting: now.maxInflight, 'waiting/target': fmt(now.maxInflight / TARGET_RUNS),
      peak_rss_mib: fmt(now.peakMiB, 0), 'rss/target': fmt(now.peakMiB / TARGET_MIB),
    });
    met.push(now.maxInflight >= TARGET_RUNS && now.peakMiB < TARGET_MIB);
  }
  if (fanout) {
    summary.push(fanoutFigures(fanout));
    Object.assign(figures, {
      fanout_waiting: fanout.maxInflight, 'fanout_waiting/target': fmt(fanout.maxInflight / TARGET_TASKS),
      fanout_peak_rss_mib: fmt(fanout.peakMiB, 0), 'fanout_rss/target': fmt(fanout.peakMiB / TARGET_MIB),
    });
    met.push(fanout.maxInflight >= TARGET_TASKS && fanout.peakMiB < TARGET_MIB);
  }
  console.log(`\nsummary: ${summary.join('; ')}`);
  console.log(summaryLine('throughput', { ...figures, met: metCount(met) }));
  // Runs not drained within the bound still have result() long-polls open against the stopped server.
  process.exit(0);
}

function fanoutFigures(f: FanoutResult): string {
  console.log(`\nfan-out: ${f.runs} runs of bench-fanout (${FANOUT_WIDTH} parallel spark tasks each, runPipeline) started at once, steps held ≥ ${HOLD_MS / 1000} s after the last task started waiting; simulated EMR: ${API_LATENCY_MS} ms per API call, steps polled every ${POLL_SECONDS} s; emrflow tuning\n`);
  console.log(table(
    ['tasks', 'runs started in (s)', 'all tasks waiting after (s)', 'max tasks waiting at once', 'ratio to ≥ 10,000', 'fewest waiting while held', 'worker RSS while waiting (MiB)', 'peak RSS (MiB)', 'ratio to < 1 GiB', 'cached workflows / activities in flight / JS heap MiB while held', 'held runs done after release (s)'],
    [[f.tasks, fmt(f.startSeconds, 1), fmt(f.allWaitingSeconds, 1), f.maxInflight, ratio(f.maxInflight, TARGET_TASKS), f.minHeld,
      fmt(f.holdMiB, 0), fmt(f.peakMiB, 0), ratio(f.peakMiB, TARGET_MIB), `${f.held.cached} / ${f.held.activities} / ${f.held.heapMiB}`,
      Number.isFinite(f.drainSeconds) ? fmt(f.drainSeconds, 1) : `> ${FANOUT_MAX_DRAIN_S}`]],
  ));
  const met = f.maxInflight >= TARGET_TASKS && f.peakMiB < TARGET_MIB;
  const when = Number.isFinite(f.allWaitingSeconds) ? `all waiting ${fmt(f.allWaitingSeconds, 1)} s after the first start` : `not all waiting ${FANOUT_MAX_WAIT_S} s after the first start`;
  return `fan-out ${f.maxInflight} tasks waiting at once (${ratio(f.maxInflight, TARGET_TASKS)} the ${TARGET_TASKS} target), ${when}, `
    + `peak RSS ${fmt(f.peakMiB, 0)} MiB (${ratio(f.peakMiB, TARGET_MIB)} of 1 GiB): ${met ? 'MET' : 'NOT MET'}`;
}

function runsFigures(results: Result[]): string {
  console.log(`\nsimulated EMR: ${API_LATENCY_MS} ms per API call, steps polled every ${POLL_SECONDS} s; throughput: ${RUNS} runs started at once, steps end at the first poll; capacity: ${CONCURRENT} runs started at once, steps held ≥ ${HOLD_MS / 1000} s after the last run started waiting\n`);
  console.log(table(
    ['worker', 'completed runs/s', 'capacity: runs started/s', 'max runs waiting on their step at once', 'worker RSS while waiting (MiB)', 'peak RSS (MiB)', 'held runs done after release (s)'],
    results.map((r) => [r.label, fmt(r.runsPerSecond, 1), fmt(r.startRate, 0), r.maxInflight, fmt(r.holdMiB, 0), fmt(r.peakMiB, 0), fmt(r.drainSeconds, 1)]),
  ));
  const now = results.at(-1)!;
  const met = now.maxInflight >= TARGET_RUNS && now.peakMiB < TARGET_MIB;
  return `runs ${now.maxInflight} waiting at once (${ratio(now.maxInflight, TARGET_RUNS)} the ${TARGET_RUNS} target), peak RSS ${fmt(now.peakMiB, 0)} MiB (${ratio(now.peakMiB, TARGET_MIB)} of 1 GiB): ${met ? 'MET' : 'NOT MET'}`;
}

main().catch((e: unknown) => {
  console.error(`bench:throughput: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
