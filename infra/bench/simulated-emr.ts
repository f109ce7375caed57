// A ClusterProvider that simulates EMR for the orchestration benchmarks (no Spark, no AWS): every
// call takes an API round trip; a step "runs" for stepSeconds, and for as long as the hold file
// exists; then, when its arguments name a run id (`--run-id`), it "writes" its run report where
// readRunReport looks for it and stages a one-file table with its manifest, as etl.py
// --stage-only does, so the audit and publish tasks that follow have something to work on (in
// the run's own lake: see lake-per-run.ts). The
// real activities and the real waitForStep run on top of it, so the worker does exactly the work
// it does for EMR.
//
// Each step has an id of its own on its cluster (s-1, s-2, …), so a run's concurrent steps are
// told apart. A step's end time is the moment it was due, not the moment a poll noticed it (the
// benchmarks time what follows a step's end from there). With `watch`, the provider also tells
// waitForStep the moment a step ends, as the local provider does with inotify.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterProvider, ClusterStatus, StepStatus } from '../../activities/providers/cluster-provider';
import { reportLocation } from '../../activities/run-report';
import type { ClusterRef, RunIdentity, StepRef, StepRequest } from '../../workflows/shared';
import { fakeReport } from './fake-report';
import { benchLakeOf } from './lake-per-run';

export interface SimulatedEmrOptions {
  pollSeconds: number;
  stepSeconds: number;
  apiLatencyMs: number;
  outputUri: string;
  /** While this file exists no step completes. */
  holdFile: string;
  /** Wake waitForStep when a step is due to end (steps end on time, not at the next poll). */
  watch?: boolean;
}

export interface SimStep { name: string; startedMs: number; endedMs?: number; reportId?: string; held?: boolean }

export class SimulatedEmrProvider implements ClusterProvider {
  readonly kind = 'emr' as const;
  readonly pollSeconds: number;
  readonly watchStep?: (clusterId: string, stepId: string, signal: AbortSignal) => Promise<void>;
  private readonly steps = new Map<string, SimStep>();
  private readonly stepsPerCluster = new Map<string, number>();
  private clusters = 0;
  private readonly created = new Map<string, number>();

  constructor(private readonly o: SimulatedEmrOptions) {
    this.pollSeconds = o.pollSeconds;
    if (o.watch) this.watchStep = (clusterId, stepId, signal) => this.untilDue(clusterId, stepId, signal);
  }

  /** Steps added and not yet seen to end. */
  get running(): number {
    let n = 0;
    for (const s of this.steps.values()) if (s.endedMs === undefined) n += 1;
    return n;
  }

  /** A step as the provider recorded it (its start is when addStep returned), for timing. */
  step(clusterId: string, stepId: string): SimStep | undefined {
    return this.steps.get(`${clusterId}/${stepId}`);
  }

  private api = () => sleep(this.o.apiLatencyMs);

  async stageJob() { await this.api(); return { scriptUri: 's3://simulated/code/job.py', contentHash: 'simulated' }; }

  async createCluster(_run: RunIdentity): Promise<ClusterRef> {
    await this.api();
    this.clusters += 1;
    this.created.set(`j-SIM${this.clusters}`, Date.now());
    return { clusterId: `j-SIM${this.clusters}`, name: 'simulated', adopted: false, createdAt: new Date().toISOString() };
  }

  async addStep(request: StepRequest): Promise<StepRef> {
    await this.api();
    const i = request.args.indexOf('--run-id');
    const n = (this.stepsPerCluster.get(request.clusterId) ?? 0) + 1;
    this.stepsPerCluster.set(request.clusterId, n);
    const stepId = `s-${n}`;
    this.steps.set(`${request.clusterId}/${stepId}`, {
      name: request.stepName, startedMs: Date.now(), ...(i >= 0 && { reportId: request.args[i + 1] }),
    });
    return { clusterId: request.clusterId, stepId, reused: false };
  }

  /** Ends the step if it is due (and not held): its outputs are written first, as Spark would. */
  private settle(step: SimStep): void {
    if (step.endedMs !== undefined || Date.now() - step.startedMs < this.o.stepSeconds * 1000) return;
    if (existsSync(this.o.holdFile)) {
      step.held = true;
      return;
    }
    if (step.reportId) this.writeOutputs(step.reportId);
    // A step that was not held ended when it was due (as EMR records it, however late a poll
    // notices); a held one when a poll first saw it released.
    step.endedMs = step.held ? Date.now() : step.startedMs + this.o.stepSeconds * 1000;
  }

  private writeOutputs(runId: string): void {
    const where = reportLocation(this.o.outputUri, runId);
    mkdirSync(join(where, '..'), { recursive: true });
    writeFileSync(where, JSON.stringify(fakeReport(runId, this.o.outputUri)));
    const staging = join(benchLakeOf(this.o.outputUri, runId), '_staging', runId);
    mkdirSync(join(staging, 'bench_table'), { recursive: true });
    writeFileSync(join(staging, 'bench_table', 'part-0.txt'), 'simulated\n');
    writeFileSync(join(staging, '_manifest.json'), JSON.stringify({
      format: 1, run_id: runId, mode: 'full', run_date: null, created_at: new Date().toISOString(),
      moves: [{ table: 'bench_table', staged: 'bench_table', target: `bench_table/run=${runId}` }],
    }));
  }

  async describeStep(clusterId: string, stepId: string): Promise<StepStatus> {
    await this.api();
    const step = this.steps.get(`${clusterId}/${stepId}`);
    if (!step) throw new Error(`no simulated step ${stepId} on ${clusterId}`);
    this.settle(step);
    const base = { stepId, name: step.name, startedAt: new Date(step.startedMs).toISOString() };
    return step.endedMs !== undefined ? { ...base, state: 'COMPLETED', endedAt: new Date(step.endedMs).toISOString() } : { ...base, state: 'RUNNING' };
  }

  /** Resolves when the step is due to end (or at once when it has), or when `signal` aborts. */
  private async untilDue(clusterId: string, stepId: string, signal: AbortSignal): Promise<void> {
    const step = this.steps.get(`${clusterId}/${stepId}`);
    if (!step || step.endedMs !== undefined) return;
    const dueInMs = step.startedMs + this.o.stepSeconds * 1000 - Date.now();
    // A held step is looked at again every 100 ms (the hold is released by removing a file).
    await sleep(Math.max(0, existsSync(this.o.holdFile) ? 100 : dueInMs), undefined, { signal }).catch(() => undefined);
  }

  async describeCluster(clusterId: string): Promise<ClusterStatus> { await this.api(); return { clusterId, state: 'RUNNING', ended: false }; }
  async cancelStep(): Promise<void> { await this.api(); }
  async terminateCluster(clusterId: string) { await this.api(); return { clusterId, action: 'terminated' as const, terminatedAt: new Date().toISOString() }; }
  async listClusters() { await this.api(); return []; }
  /** The default [emr] shape (1 + 2 × m5.xlarge) since the simulated cluster was created. */
  async usage(clusterId: string) {
    await this.api();
    const since = this.created.get(clusterId) ?? Date.now();
    return { kind: 'emr' as const, instances: [{ instanceType: 'm5.xlarge', count: 3, market: 'ON_DEMAND' as const }], runningSeconds: (Date.now() - since) / 1000 };
  }
  async stepLogs() { await this.api(); return { found: false, stderrTail: 'simulated step: no logs' }; }
}
