// A ClusterProvider that simulates EMR for the capacity benchmark (no Spark, no AWS): every call
// takes an API round trip; a step "runs" for stepSeconds, and for as long as the hold file
// exists; then it "writes" its run report where readRunReport looks for it. The real activities and the real waitForStep run
// on top of it, so the worker does exactly the work it does for EMR.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterProvider, ClusterStatus, StepStatus } from '../../activities/providers/cluster-provider';
import { reportLocation } from '../../activities/run-report';
import type { ClusterRef, RunIdentity, StepRef, StepRequest } from '../../workflows/shared';
import { fakeReport } from './fake-report';

export interface SimulatedEmrOptions {
  pollSeconds: number;
  stepSeconds: number;
  apiLatencyMs: number;
  outputUri: string;
  /** While this file exists no step completes. */
  holdFile: string;
}

interface SimStep { startedMs: number; endedAt?: string; reportId: string }

export class SimulatedEmrProvider implements ClusterProvider {
  readonly kind = 'emr' as const;
  readonly pollSeconds: number;
  private readonly steps = new Map<string, SimStep>();
  private clusters = 0;

  constructor(private readonly o: SimulatedEmrOptions) {
    this.pollSeconds = o.pollSeconds;
  }

  /** Steps added and not yet seen to end. */
  get running(): number {
    let n = 0;
    for (const s of this.steps.values()) if (!s.endedAt) n += 1;
    return n;
  }

  private api = () => sleep(this.o.apiLatencyMs);

  async stageJob() { await this.api(); return { scriptUri: 's3://simulated/code/etl.py', contentHash: 'simulated' }; }

  async createCluster(_run: RunIdentity): Promise<ClusterRef> {
    await this.api();
    this.clusters += 1;
    return { clusterId: `j-SIM${this.clusters}`, name: 'simulated', adopted: false, createdAt: new Date().toISOString() };
  }

  async addStep(request: StepRequest): Promise<StepRef> {
    await this.api();
    const reportId = request.args[request.args.indexOf('--run-id') + 1]!;
    this.steps.set(`${request.clusterId}/s-1`, { startedMs: Date.now(), reportId });
    return { clusterId: request.clusterId, stepId: 's-1', reused: false };
  }

  async describeStep(clusterId: string, stepId: string): Promise<StepStatus> {
    await this.api();
    const step = this.steps.get(`${clusterId}/${stepId}`);
    if (!step) throw new Error(`no simulated step ${stepId} on ${clusterId}`);
    const base = { stepId, name: 'songs-etl', startedAt: new Date(step.startedMs).toISOString() };
    if (!step.endedAt && Date.now() - step.startedMs >= this.o.stepSeconds * 1000 && !existsSync(this.o.holdFile)) {
      const where = reportLocation(this.o.outputUri, step.reportId);
      mkdirSync(join(where, '..'), { recursive: true });
      writeFileSync(where, JSON.stringify(fakeReport(step.reportId, this.o.outputUri)));
      step.endedAt = new Date().toISOString();
    }
    return step.endedAt ? { ...base, state: 'COMPLETED', endedAt: step.endedAt } : { ...base, state: 'RUNNING' };
  }

  async describeCluster(clusterId: string): Promise<ClusterStatus> { await this.api(); return { clusterId, state: 'RUNNING', ended: false }; }
  async cancelStep(): Promise<void> { await this.api(); }
  async terminateCluster(clusterId: string) { await this.api(); return { clusterId, action: 'terminated' as const, terminatedAt: new Date().toISOString() }; }
  async listClusters() { await this.api(); return []; }
  async stepLogs() { await this.api(); return { found: false, stderrTail: 'simulated step: no logs' }; }
}
