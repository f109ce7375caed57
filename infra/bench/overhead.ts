// npm run bench:overhead — what orchestration adds to a Spark step, with the local provider and a
// real spark-submit of a step that does almost nothing (noop_job.py). Every run is started by
// triggering a schedule, so one run gives both figures: the run's wall time minus the step's
// own wall time, and the time from the trigger to the step's start. Two configurations side by
// side: waitForStep polling every local.step_poll_seconds only (emrflow before this benchmark),
// and with the local provider watching the step's files (now). Same server, same machine.
// Then, on the simulated EMR provider (chain.ts): a pipeline a → b, the time from a's step
// ending to b's step starting, with the step's end signalled by the provider (BENCH_CHAIN_RUNS
// runs, default 20) and, side by side, seen by polling every 30 s as with EMR
// (BENCH_CHAIN_POLL_RUNS, default 3). BENCH_ONLY=chain or BENCH_ONLY=spark runs one part.
// BENCH_SMOKE=1: one counted run (step watch, no warm-up, no poll-only baseline) and one signalled
// chain run, to check that the benchmark works, not its targets; its step runs the stand-in job
// with Python and no SparkSession (EMRFLOW_BENCH_NO_SPARK), so it takes a second, not a JVM start
// (30 s and more on a loaded machine): the job's arguments, outputs and the workflow are what it checks.
import { join } from 'node:path';
import { createActivities } from '../../activities';
import { LocalProvider, sparkEnvironment } from '../../activities/providers/local/local-provider';
import { etlScript, sparkSubmit, venvBin } from '../paths';
import { createWorker } from '../worker/create-worker';
import { benchConfig, machineLine, quietWorkerLogs, tempDir } from './bench-config';
import { measureChain, type ChainTiming } from './chain';
import { createBenchSchedule, stepEndNoticedAfter, triggerAndTime, type RunTiming } from './scheduled-run';
import { fmt, spread, SPREAD_HEADER, spreadRow, table } from './stats';
import { metCount, size, SMOKE, summaryLine, type Figures } from './summary-line';
import { startTemporal, type BenchTemporal } from './temporal';

const RUNS = size('BENCH_RUNS', 20, 1);
const BASELINE_RUNS = size('BENCH_BASELINE_RUNS', 8, 0);
const TARGET_S = 1.5;
const CHAIN_RUNS = size('BENCH_CHAIN_RUNS', 20, 1);
const CHAIN_TARGET_S = 0.5;
const CHAIN_POLL_RUNS = size('BENCH_CHAIN_POLL_RUNS', 3, 0);
const CHAIN = { stepSeconds: 1, apiLatencyMs: 50, pollSeconds: 30 };
const CHAIN_VARIANTS = [
  { ...CHAIN, label: 'step end signalled (now)', watch: true, runs: CHAIN_RUNS },
  { ...CHAIN, label: `polled every ${CHAIN.pollSeconds} s, as EMR`, watch: false, runs: CHAIN_POLL_RUNS },
];
const ONLY = process.env.BENCH_ONLY;
const jobScript = join(import.meta.dirname, 'noop_job.py');

interface Variant { label: string; watchSteps: boolean; runs: number }

async function measure(temporal: BenchTemporal, dir: string, v: Variant): Promise<RunTiming[]> {
  const config = benchConfig(temporal.address, dir);
  const provider = new LocalProvider({
    stateDir: config.local.state_dir,
    pollSeconds: config.local.step_poll_seconds,
    // A step that does almost nothing needs no second core and no web UI: keeps JVM start-up short.
    submitCommand: SMOKE
      ? (script, args) => [venvBin('python'), script, ...args]
      : (script, args) => [sparkSubmit, '--master', 'local[1]', '--driver-memory', '512m', '--conf', 'spark.ui.enabled=false', script, ...args],
    // The stand-in is staged as one file (as etl.py): it finds the real job's parser here.
    env: { ...sparkEnvironment(venvBin('python')), EMRFLOW_ETL_SCRIPT: etlScript, ...(SMOKE && { EMRFLOW_BENCH_NO_SPARK: '1' }) },
    watchSteps: v.watchSteps,
  });
  const activities = createActivities(config, { jobScript, provider });
  const worker = await createWorker({ connection: temporal.native, config, activities });
  return worker.runUntil(async () => {
    const schedule = await createBenchSchedule(temporal.client, `bench-overhead-${v.watchSteps ? 'watch' : 'poll'}`, config.temporal.task_queue);
    try {
      if (!SMOKE) await triggerAndTime(temporal.client, schedule, provider); // warm-up (bundle, caches): not counted
      const timings: RunTiming[] = [];
      for (let i = 1; i <= v.runs; i += 1) {
        const t = await triggerAndTime(temporal.client, schedule, provider);
        timings.push(t);
        process.stderr.write(`  ${v.label} run ${i}/${v.runs}: overhead ${fmt(overhead(t))} s\n`);
      }
      return timings;
    } finally {
      await schedule.delete();
    }
  });
}

const stepSeconds = (t: RunTiming) => (t.stepEndMs - t.stepStartMs) / 1000;
const overhead = (t: RunTiming) => (t.closedMs - t.startedMs) / 1000 - stepSeconds(t);
const endToEnd = (t: RunTiming) => (t.closedMs - t.triggeredMs) / 1000 - stepSeconds(t);
const triggerToStep = (t: RunTiming) => (t.stepStartMs - t.triggeredMs) / 1000;
const afterStep = (t: RunTiming) => (t.closedMs - t.stepEndMs) / 1000;

async function main(): Promise<void> {
  quietWorkerLogs();
  console.log(await machineLine());
  const temporal = await startTemporal();
  const tmp = tempDir('overhead');
  const variants: Variant[] = ONLY === 'chain' ? [] : [
    { label: 'poll only (before)', watchSteps: false, runs: BASELINE_RUNS },
    { label: 'step watch (now)', watchSteps: true, runs: RUNS },
  ].filter((v) => v.runs > 0);
  const results = new Map<Variant, RunTiming[]>();
  const chains = new Map<string, ChainTiming[]>();
  try {
    for (const v of variants) results.set(v, await measure(temporal, join(tmp.dir, v.watchSteps ? 'watch' : 'poll'), v));
    for (const c of ONLY === 'spark' ? [] : CHAIN_VARIANTS.filter((v) => v.runs > 0)) {
      const dir = join(tmp.dir, `chain-${c.watch ? 'watch' : 'poll'}`);
      chains.set(c.label, await measureChain(temporal, benchConfig(temporal.address, dir), dir, c, (line) => process.stderr.write(`${line}\n`)));
    }
  } finally {
    await temporal.stop();
    tmp.remove();
  }
  for (const v of variants) {
    const t = results.get(v)!;
    console.log(`\n### ${v.label}: ${t.length} scheduled runs, local.step_poll_seconds=2\n`);
    console.log(table(SPREAD_HEADER, [
      spreadRow('step wall time (spark-submit)', spread(t.map(stepSeconds))),
      spreadRow('overhead: run wall − step wall', spread(t.map(overhead))),
      spreadRow('end to end: trigger → run closed − step wall', spread(t.map(endToEnd))),
      spreadRow('trigger → step start', spread(t.map(triggerToStep))),
      spreadRow('step end → run closed', spread(t.map(afterStep))),
      spreadRow('step end → waitForStep returned (workflow time)', spread(t.map(stepEndNoticedAfter))),
    ]));
  }
  const summary: string[] = [];
  const figures: Figures = {};
  const met: boolean[] = [];
  const watched = variants.find((v) => v.watchSteps);
  if (watched) {
    const ends = spread(results.get(watched)!.map(endToEnd));
    const now = ends.median;
    const baseline = variants.find((v) => !v.watchSteps);
    const before = baseline ? spread(results.get(baseline)!.map(endToEnd)).median : NaN;
    console.log(`\nmedian end-to-end overhead: before ${fmt(before)} s, now ${fmt(now)} s (${fmt(before / now, 1)}x less); target < ${TARGET_S} s: ${now < TARGET_S ? 'MET' : 'NOT MET'}`);
    summary.push(`run overhead median ${fmt(now)} s (${fmt(now / TARGET_S)}x the ${TARGET_S} s target): ${now < TARGET_S ? 'MET' : 'NOT MET'}`);
    Object.assign(figures, {
      runs: ends.n, overhead_median_s: fmt(now), overhead_p95_s: fmt(ends.p95), 'overhead/target': fmt(now / TARGET_S),
      ...(baseline && { before_median_s: fmt(before) }),
      step_median_s: fmt(spread(results.get(watched)!.map(stepSeconds)).median),
    });
    met.push(now < TARGET_S);
  }
  for (const [label, chain] of chains) {
    const h = spread(chain.map((t) => t.handoff));
    console.log(`\n### task → dependant, ${label}: ${chain.length} runs of bench-chain (a → b, runPipeline) on simulated EMR (${CHAIN.apiLatencyMs} ms per API call, steps of ${CHAIN.stepSeconds} s)\n`);
    console.log(table([...SPREAD_HEADER, 'median / target'], [
      [...spreadRow("a's step end → b's step start", h), `${fmt(h.median / CHAIN_TARGET_S)}x of ${CHAIN_TARGET_S} s`],
      [...spreadRow("a's step end → a's waitForStep returned (workflow time)", spread(chain.map((t) => t.noticed))), ''],
      [...spreadRow("a's waitForStep returned → b's addStep scheduled (same workflow task)", spread(chain.map((t) => t.decided))), ''],
      [...spreadRow("b's addStep scheduled → b's step start", spread(chain.map((t) => t.added))), ''],
      [...spreadRow('whole run, start → result', spread(chain.map((t) => t.run))), ''],
    ]));
  }
  const signalled = chains.get(CHAIN_VARIANTS[0]!.label);
  if (signalled) {
    const h = spread(signalled.map((t) => t.handoff));
    const polled = chains.get(CHAIN_VARIANTS[1]!.label);
    const handoffMet = h.median < CHAIN_TARGET_S;
    summary.push(`step end → dependant's step start median ${fmt(h.median)} s, p95 ${fmt(h.p95)} s (${fmt(h.median / CHAIN_TARGET_S)}x the ${CHAIN_TARGET_S} s target): ${handoffMet ? 'MET' : 'NOT MET'}`
      + (polled ? ` (polled every ${CHAIN.pollSeconds} s as EMR: median ${fmt(spread(polled.map((t) => t.handoff)).median)} s)` : ''));
    Object.assign(figures, {
      handoff_runs: h.n, handoff_median_s: fmt(h.median), handoff_p95_s: fmt(h.p95), 'handoff/target': fmt(h.median / CHAIN_TARGET_S),
      ...(polled && { handoff_polled_median_s: fmt(spread(polled.map((t) => t.handoff)).median) }),
    });
    met.push(handoffMet);
  }
  console.log(`\nsummary: ${summary.join('; ')}`);
  console.log(summaryLine('overhead', { ...figures, met: metCount(met) }));
}

main().catch((e: unknown) => {
  console.error(`bench:overhead: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
