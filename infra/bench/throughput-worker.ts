// The one worker of `npm run bench:throughput`, in a process of its own so its memory can be
// measured alone: the real workflow and activities over the simulated EMR provider. Reports
// {"inflight", "running", "cached", "activities", "heapMiB"} on stdout every half second; stops on SIGTERM. BENCH_PIPELINES=bench
// loads the benchmark's own pipelines (infra/bench/pipelines/) instead of pipelines/.
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { NativeConnection, type WorkerOptions as SdkWorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createWorker } from '../worker/create-worker';
import { benchConfig, quietWorkerLogs } from './bench-config';
import { benchJobScript, loadBenchPipelines } from './bench-pipelines';
import { lakePerRun } from './lake-per-run';
import { SimulatedEmrProvider } from './simulated-emr';

/** The SDK's own defaults, to measure what emrflow's worker tuning buys. */
export const SDK_DEFAULTS: Partial<SdkWorkerOptions> = { maxConcurrentActivityTaskExecutions: 100, maxCachedWorkflows: undefined };

async function main(): Promise<void> {
  quietWorkerLogs();
  const env = process.env;
  const dir = env.BENCH_DIR!;
  const config = benchConfig(env.BENCH_ADDRESS!, dir, { EMRFLOW_TEMPORAL_TASK_QUEUE: env.BENCH_TASK_QUEUE! });
  const provider = new SimulatedEmrProvider({
    pollSeconds: Number(env.BENCH_POLL_SECONDS),
    stepSeconds: Number(env.BENCH_STEP_SECONDS),
    apiLatencyMs: Number(env.BENCH_API_LATENCY_MS),
    outputUri: config.datalake.output_data,
    holdFile: join(dir, 'hold'),
  });
  const benchPipelines = env.BENCH_PIPELINES === 'bench';
  const activities = lakePerRun(createActivities(config, {
    provider, ...(benchPipelines && { pipelines: await loadBenchPipelines(), jobScript: benchJobScript }),
  }));
  let inflight = 0;
  const counted = {
    ...activities,
    async waitForStep(step: Parameters<typeof activities.waitForStep>[0]) {
      inflight += 1;
      try {
        return await activities.waitForStep(step);
      } finally {
        inflight -= 1;
      }
    },
  };
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection, config, activities: counted,
    overrides: {
      ...(env.BENCH_TUNING === 'sdk-defaults' ? SDK_DEFAULTS : {}),
      ...(env.BENCH_MAX_CACHED && { maxCachedWorkflows: Number(env.BENCH_MAX_CACHED) }),
    },
  });
  // What holds the memory: workflows in the cache, activities in flight, the main thread's JS heap.
  let snapshotTaken = false;
  const report = setInterval(() => {
    const status = worker.getStatus();
    if (env.BENCH_HEAP_SNAPSHOT && !snapshotTaken && inflight >= Number(env.BENCH_HEAP_SNAPSHOT_AT)) {
      snapshotTaken = true;
      const mu = process.memoryUsage();
      process.stderr.write(`memory: ${JSON.stringify(mu)}\n`);
      writeHeapSnapshot(env.BENCH_HEAP_SNAPSHOT);
    }
    process.stdout.write(`${JSON.stringify({
      inflight, running: provider.running, cached: status.numCachedWorkflows, activities: status.numInFlightActivities,
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    })}\n`);
  }, 500);
  process.stdout.write('ready\n');
  await worker.run(); // until SIGTERM
  clearInterval(report);
  await connection.close();
}

main().catch((e: unknown) => {
  console.error(`throughput worker: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
