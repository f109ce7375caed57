// The chain part of `npm run bench:overhead`: a two-task pipeline (bench-chain, a → b) run by the
// generic runPipeline workflow and the real activities over the simulated EMR provider, one run
// at a time. Per run: the time from a's step ending to b's step starting, and where it went.
// With `watch` the provider signals a step's end (as the local provider does with inotify), so
// waitForStep hears of it at once; without, waitForStep sees it at its next poll (every
// pollSeconds ± 20 %), as with the EMR provider, which has no step events. Every API call takes
// apiLatencyMs.
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { EmrflowConfig } from '../config';
import { createWorker } from '../worker/create-worker';
import type { PipelineSummary, TaskStatus } from '../../workflows/pipeline-types';
import { benchJobScript, loadBenchPipelines } from './bench-pipelines';
import { SimulatedEmrProvider } from './simulated-emr';
import { join } from 'node:path';

export interface ChainTiming {
  /** a's step end → b's step start: the figure. */
  handoff: number;
  /** a's step end → the workflow saw a's waitForStep return. */
  noticed: number;
  /** waitForStep returned → b's addStep scheduled (the workflow deciding b may start). */
  decided: number;
  /** b's addStep scheduled → b's step started (the activity and one API call). */
  added: number;
  /** The whole run, start to close. */
  run: number;
}

export interface ChainOptions { runs: number; stepSeconds: number; apiLatencyMs: number; pollSeconds: number; watch: boolean; label: string }

const ms = (iso: string | undefined, what: string): number => {
  if (!iso) throw new Error(`bench-chain: ${what} has no time`);
  return Date.parse(iso);
};

function timing(summary: PipelineSummary, runSeconds: number): ChainTiming {
  const task = (id: string): TaskStatus => summary.tasks.find((t) => t.id === id)!;
  const stage = (name: string, id: string) => summary.stages.find((s) => s.stage === name && s.task === id);
  const aEnd = ms(task('a').stepEndedAt, 'step a');
  const bStart = ms(task('b').stepStartedAt, 'step b');
  const noticedAt = ms(stage('waitForStep', 'a')?.endedAt, 'waitForStep of a');
  const addAt = ms(stage('addStep', 'b')?.startedAt, 'addStep of b');
  return { handoff: (bStart - aEnd) / 1000, noticed: (noticedAt - aEnd) / 1000, decided: (addAt - noticedAt) / 1000, added: (bStart - addAt) / 1000, run: runSeconds };
}

export async function measureChain(
  temporal: { client: Client; native: NativeConnection }, config: EmrflowConfig, dir: string, o: ChainOptions,
  progress: (line: string) => void,
): Promise<ChainTiming[]> {
  const provider = new SimulatedEmrProvider({
    pollSeconds: o.pollSeconds, stepSeconds: o.stepSeconds, apiLatencyMs: o.apiLatencyMs,
    outputUri: config.datalake.output_data, holdFile: join(dir, 'hold'), watch: o.watch,
  });
  const activities = createActivities(config, { provider, pipelines: await loadBenchPipelines(), jobScript: benchJobScript });
  const worker = await createWorker({ connection: temporal.native, config, activities });
  return worker.runUntil(async () => {
    const runOnce = async (i: number) => {
      const t0 = performance.now();
      const summary = await temporal.client.workflow.execute('runPipeline', {
        workflowId: `bench-chain-${o.watch ? 'watch' : 'poll'}-${i}`, taskQueue: config.temporal.task_queue,
        args: [{ pipeline: 'bench-chain', runDate: '2026-01-01', mode: 'full' }],
      }) as PipelineSummary;
      return timing(summary, (performance.now() - t0) / 1000);
    };
    // Warm-up (bundle, caches), not counted; a polled run waits out a poll before its first handoff anyway.
    if (o.watch) await runOnce(0);
    const timings: ChainTiming[] = [];
    for (let i = 1; i <= o.runs; i += 1) {
      const t = await runOnce(i);
      timings.push(t);
      progress(`  chain, ${o.label}, run ${i}/${o.runs}: a's step end → b's step start ${t.handoff.toFixed(3)} s`);
    }
    return timings;
  });
}
