// npm run bench:cost — idle cluster time: what a run is billed beyond its step, against the EMR
// provider on moto with a simulated EMR timeline (clusters take PROVISION_S to start, the step
// runs STEP_S). Real poll intervals (1, 5, 15, 30 s) are scaled down 10x so the whole sweep
// takes minutes. Side by side: emrflow before this benchmark (step added right after RunJobFlow,
// cluster kept alive until terminateCluster), emrflow now (the cluster ends with its step), and
// the alternative of waiting for WAITING before adding the step. Billed = the cluster's CreationDateTime →
// EndDateTime as EMR records it; idle = billed − step − provisioning (provisioning is paid
// whatever the orchestrator does).
// BENCH_SMOKE=1: one run per strategy at the shortest poll, to check that the benchmark works.
import { DescribeClusterCommand, DescribeStepCommand, type EMRClient } from '@aws-sdk/client-emr';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createActivities } from '../../activities';
import { emrClient, s3Client } from '../../activities/aws-clients';
import type { ClusterProvider } from '../../activities/providers/cluster-provider';
import { EmrProvider } from '../../activities/providers/emr/emr-provider';
import { reportIdFor } from '../../workflows/run-input';
import type { SongsEtlSummary } from '../../workflows/shared';
import type { EmrflowConfig } from '../config';
import { createWorker } from '../worker/create-worker';
import { machineLine, quietWorkerLogs, tempDir } from './bench-config';
import { startEmulator } from './emr-emulator';
import { fakeReport } from './fake-report';
import { fmt, percentile, spread, table } from './stats';
import { startTemporal } from './temporal';
import { metCount, size, SMOKE, summaryLine } from './summary-line';
import { addStepWhenWaiting } from './wait-for-waiting';

const SCALE = 10;
const REAL_POLLS_S = SMOKE ? [1] : [1, 5, 15, 30];
const PROVISION_S = 1;
const STEP_S = 2;
const RUNS = size('BENCH_RUNS', 3, 1);

interface Billed { billed: number; step: number; provisioning: number; idle: number }

async function main(): Promise<void> {
  // The SDK's multi-line Node-20 notice (as the CLI does): the output is the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  quietWorkerLogs();
  console.log(await machineLine());
  const temporal = await startTemporal();
  const tmp = tempDir('cost');
  const { moto, config } = await startEmulator(temporal.address, tmp.dir);
  try {
    await moto.simulateLifecycle(PROVISION_S, STEP_S);
    const emr = emrClient(config.aws);
    const keptAlive = keptAliveClient(config);
    const s3 = s3Client(config.aws);
    // One worker for every variant: its provider is switched between runs (runs are sequential).
    let current: ClusterProvider = new EmrProvider({ emr, s3, config });
    const switchable = new Proxy({} as ClusterProvider, {
      get: (_t, key) => {
        const v = Reflect.get(current, key, current) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
      },
    });
    const worker = await createWorker({ connection: temporal.native, config, activities: createActivities(config, { provider: switchable }) });
    const rtt = await roundTrip(emr);
    const rows: (string | number)[][] = [];
    // Per strategy (by its index), per poll interval: idle max / target.
    const ratios: number[][] = [[], [], []];
    await worker.runUntil(async () => {
      for (const realPoll of REAL_POLLS_S) {
        const poll = realPoll / SCALE;
        const cfg = { ...config, emr: { ...config.emr, step_poll_seconds: poll } };
        const now = new EmrProvider({ emr, s3, config: cfg });
        const before = new EmrProvider({ emr: keptAlive, s3, config: cfg });
        const strategies = [
          ['emrflow before: kept alive until terminateCluster', before],
          ['emrflow now: cluster ends with its step', now],
          ['wait for WAITING, then add the step (kept alive)', addStepWhenWaiting(before)],
        ] as const;
        for (const [label, provider] of strategies) {
          current = provider;
          const runs: Billed[] = [];
          for (let i = 0; i < RUNS; i += 1) runs.push(await oneRun(temporal.client, config.temporal.task_queue, s3, emr, `${realPoll}-${strategies.findIndex((x) => x[0] === label)}-${i}`));
          const idle = spread(runs.map((r) => r.idle));
          const target = poll + rtt;
          ratios[strategies.findIndex((x) => x[0] === label)]!.push(idle.max / target);
          rows.push([
            `${realPoll} s (${fmt(poll)} s)`, label, fmt(spread(runs.map((r) => r.billed)).median), fmt(STEP_S),
            fmt(spread(runs.map((r) => r.billed - r.step)).median), fmt(idle.median), fmt(idle.max), fmt(target),
            idle.max <= target ? 'met' : 'NOT met',
          ]);
          process.stderr.write(`  poll ${poll} s, ${label}: idle median ${fmt(idle.median)} s, max ${fmt(idle.max)} s\n`);
        }
      }
    });
    console.log(`\nsimulated EMR: provisioning ${PROVISION_S} s, step ${STEP_S} s; ${RUNS} runs per row; one DescribeCluster round trip to moto: median ${fmt(rtt * 1000, 1)} ms`);
    console.log(`poll intervals are the real ones divided by ${SCALE}; idle = billed − step − provisioning; target: idle ≤ poll + one round trip\n`);
    console.log(table(['poll (scaled)', 'strategy', 'billed s (median)', 'step s', 'billed − step s', 'idle s (median)', 'idle s (max)', 'target s', 'target'], rows));
    // The worst poll interval of each strategy: emrflow now must stay within its target at every one.
    const worst = (i: number) => fmt(Math.max(...ratios[i]!));
    console.log(summaryLine('cost', {
      runs: RUNS, polls_s: REAL_POLLS_S.join(','), 'idle_max/target': worst(1), 'before_idle_max/target': worst(0),
      'waiting_idle_max/target': worst(2), met: metCount(ratios[1]!.map((r) => r <= 1)),
    }));
  } finally {
    await moto.stop();
    await temporal.stop();
    tmp.remove();
  }
}

async function oneRun(client: Awaited<ReturnType<typeof startTemporal>>['client'], taskQueue: string, s3: ReturnType<typeof s3Client>, emr: ReturnType<typeof emrClient>, tag: string): Promise<Billed> {
  const workflowId = `bench-cost-${tag}-${Math.random().toString(36).slice(2, 8)}`;
  const handle = await client.workflow.start('songsEtl', { workflowId, taskQueue, args: [{ mode: 'full' }] });
  // The simulated step "writes" its report: in place long before the step can end.
  const reportId = reportIdFor(workflowId, handle.firstExecutionRunId);
  await s3.send(new PutObjectCommand({ Bucket: 'bench-lake', Key: `out/_reports/${reportId}.json`, Body: JSON.stringify(fakeReport(reportId, 's3://bench-lake/out')) }));
  // …and stages a one-file table with its manifest (etl.py --stage-only), which the publish task moves.
  await s3.send(new PutObjectCommand({ Bucket: 'bench-lake', Key: `out/_staging/${reportId}/bench_table/part-0.txt`, Body: 'simulated\n' }));
  await s3.send(new PutObjectCommand({
    Bucket: 'bench-lake', Key: `out/_staging/${reportId}/_manifest.json`, Body: JSON.stringify({
      format: 1, run_id: reportId, mode: 'full', run_date: null, created_at: new Date().toISOString(),
      moves: [{ table: 'bench_table', staged: 'bench_table', target: `bench_table/run=${reportId}` }],
    }),
  }));
  const summary = (await handle.result()) as SongsEtlSummary;
  const { Cluster: cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: summary.clusterId! }));
  const { Step: step } = await emr.send(new DescribeStepCommand({ ClusterId: summary.clusterId!, StepId: summary.stepId }));
  const t = cluster!.Status!.Timeline!;
  const s = step!.Status!.Timeline!;
  const secs = (a?: Date, b?: Date) => (b!.getTime() - a!.getTime()) / 1000;
  const billed = secs(t.CreationDateTime, t.EndDateTime);
  const stepS = secs(s.StartDateTime, s.EndDateTime);
  const provisioning = secs(t.CreationDateTime, t.ReadyDateTime);
  return { billed, step: stepS, provisioning, idle: billed - stepS - provisioning };
}

/**
 * emrflow as it was before this benchmark: the same provider, but its SetKeepJobFlowAliveWhenNoSteps
 * call never reaches EMR, so the cluster lives until terminateCluster (after the poll that sees the end).
 */
function keptAliveClient(config: EmrflowConfig): EMRClient {
  const client = emrClient(config.aws);
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'SetKeepJobFlowAliveWhenNoStepsCommand') return { output: { $metadata: {} }, response: {} };
    return next(args);
  }, { step: 'initialize', name: 'benchKeepAlive' });
  return client;
}

/** Median seconds of one DescribeCluster call to the emulator. */
async function roundTrip(emr: ReturnType<typeof emrClient>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const t0 = performance.now();
    await emr.send(new DescribeClusterCommand({ ClusterId: 'j-NONE' })).catch(() => undefined);
    times.push((performance.now() - t0) / 1000);
  }
  return percentile(times, 50);
}

main().catch((e: unknown) => {
  console.error(`bench:cost: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
