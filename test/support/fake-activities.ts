// A recording fake of EmrflowActivities with in-memory clusters and steps. Behaves like the real
// providers where workflows depend on it: createCluster/addStep are idempotent per run,
// terminateCluster treats "already gone" as success, waitForStep heartbeats and honours
// cancellation. Failures are scripted per activity and attempt.
import { DEFAULT_PRICES } from '../../activities/cost/prices';
import { estimateCost } from '../../activities/cost/run-cost';
import type { ResourceUsage } from '../../activities/cost/usage';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { assertPreflight } from '../../activities/preflight';
import { createPipelineActivities } from '../../activities/pipelines';
import { taskStepName } from '../../activities';
import { loadPipelines } from '../../infra/pipelines/registry';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { createLockActivities } from '../../activities/publish/lock-activities';
import type {
  ClusterSummary, EmrflowActivities, PipelineSettings, PreflightCheck, RunReport, StepOutcome, StepRef,
} from '../../workflows/shared';
import { loadConfig } from '../../infra/config';

type Name = keyof EmrflowActivities;
/** Given the activity's attempt number (1-based), the error to throw, or undefined. */
export type FailureScript = (attempt: number) => Error | undefined;

export interface FakeOptions {
  settings?: Partial<PipelineSettings>;
  /** What preflight finds; a failed check fails it with PreflightFailed, as the real one does. Default: all ok. */
  preflight?: PreflightCheck[];
  /** Thrown before the call takes effect. */
  failures?: Partial<Record<Name, FailureScript>>;
  /** Thrown after the call took effect: the response was lost (timeout, connection reset). */
  lostResponses?: Partial<Record<Name, FailureScript>>;
  /** Milliseconds a call takes before it takes effect (heartbeating, but not cancellable). */
  delays?: Partial<Record<Name, number>>;
  /** How the step ends; default COMPLETED. */
  step?: { fails: string; stderrTail?: string; tailInDetails?: boolean };
  /** Keep waitForStep waiting until release() is called. */
  holdStep?: boolean;
  /** Changes to the report the job "writes". */
  report?: (report: RunReport) => RunReport;
  /** Clusters that exist before the test (for the sweeper). */
  clusters?: ClusterSummary[];
  /** Temporal status of owners; default UNKNOWN. */
  ownerStatuses?: Record<string, string>;
  /** Make listClusters return unmanaged clusters too, to exercise the sweeper's own check. */
  listLeaksUnmanaged?: boolean;
  /** terminateCluster of these cluster ids always fails with this message (e.g. AccessDenied). */
  terminateFails?: Record<string, string>;
  /** Plans by pipeline name, used before the real ones in pipelines/ (DAG tests). */
  plans?: Record<string, PipelinePlan>;
  /** Keep the real plans' dependants (default: none, so a run starts no other run). */
  startDependants?: boolean;
  /** Steps of these task ids fail with the message, on the attempts listed (default every attempt). */
  failTasks?: Record<string, { message: string; attempts?: number[] }>;
  /** Milliseconds each step runs (default 0). */
  stepMs?: number;
  /** Clusters are created with termination protection on. */
  protectClusters?: boolean;
  /** The sensor finds its input after this many polls (default at once). */
  inputAfterPolls?: number;
}

export interface Call { name: Name; args: unknown[]; attempt: number }

export const STDERR_TAIL = 'Traceback (most recent call last):\n  File "etl.py", line 42\nAnalysisException: [UNRESOLVED_COLUMN] ts';

export function sampleReport(reportId: string): RunReport {
  return {
    run_id: reportId, mode: 'daily', run_date: '2018-11-15', input_uri: '/data/in', output_uri: '/data/out',
    input: { song_files: 10, log_files: 2, song_records: 10, log_records: 90 },
    rejected: { total: 1, by_reason: { malformed_json: 1 } },
    rows: { songplays: 40, users: 12, songs: 10, artists: 9, time: 40 },
    timings_s: { total: 12.5 }, started_at: '2018-11-16T00:00:00Z', finished_at: '2018-11-16T00:00:12Z',
  };
}

export function fakeActivities(o: FakeOptions = {}) {
  const calls: Call[] = [];
  const clusters = new Map<string, ClusterSummary & { runId?: string }>();
  for (const c of o.clusters ?? []) clusters.set(c.clusterId, { ...c });
  const steps = new Map<string, StepRef & { name: string; startedAt?: string; endedAt?: string }>();
  let registry: ReturnType<typeof loadPipelines> | undefined;
  const real = createPipelineActivities({ config: loadConfig({ env: {}, cwd: process.cwd(), path: undefined }).config, pipelines: () => (registry ??= loadPipelines()), s3: () => { throw new Error('no S3 in fakes'); }, startDependants: o.startDependants ?? false });
  let polls = 0;
  let released = false;
  let onWaiting: () => void = () => {};
  const waiting = new Promise<void>((resolve) => { onWaiting = resolve; });

  async function record<T>(name: Name, args: unknown[], effect: () => T | Promise<T>): Promise<T> {
    const attempt = Context.current().info.attempt;
    calls.push({ name, args, attempt });
    const before = o.failures?.[name]?.(attempt);
    if (before) throw before;
    const delay = o.delays?.[name];
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const result = await effect();
    const after = o.lostResponses?.[name]?.(attempt);
    if (after) throw after;
    return result;
  }

  const lock = createLockActivities({ lockCheckSeconds: 1 });
  const activities: EmrflowActivities = {
    preflight: () => record('preflight', [], () => assertPreflight({
      provider: o.settings?.provider ?? 'local',
      checks: o.preflight ?? [{ name: 'fake', ok: true, detail: 'everything a run needs is there' }],
    })),
    pipelineSettings: () => record('pipelineSettings', [], () => ({
      provider: 'local', outputUri: '/data/out', maxRejectedShare: 0.05, ...o.settings,
    })),
    stageJob: () => record('stageJob', [], () => ({ scriptUri: '/jobs/etl.py', contentHash: 'abc123' })),
    createCluster: (run, options) => record('createCluster', [run, options], () => {
      const live = [...clusters.values()].find((c) => c.ownerWorkflowId === run.workflowId && c.runId === run.runId && c.state !== 'TERMINATED');
      if (live) return { clusterId: live.clusterId, name: live.name, adopted: true, createdAt: live.createdAt };
      const clusterId = `j-FAKE${clusters.size + 1}`;
      const name = `emrflow-${run.workflowId}`;
      const createdAt = new Date().toISOString();
      clusters.set(clusterId, {
        clusterId, name, state: 'STARTING', createdAt, ageMinutes: 0, managed: true, ownerWorkflowId: run.workflowId,
        runId: run.runId, terminationProtected: o.protectClusters ?? false, deployment: 'test', ownDeployment: true,
        tags: { 'emrflow:managed': 'true', 'emrflow:deployment': 'test', 'emrflow:workflow-id': run.workflowId },
      });
      return { clusterId, name, adopted: false, createdAt };
    }),
    resolvePipeline: (name) => record('resolvePipeline', [name], async () => o.plans?.[name] ?? real.resolvePipeline(name)),
    waitForInput: (r) => record('waitForInput', [r], async () => {
      while (polls < (o.inputAfterPolls ?? 0)) {
        polls += 1;
        Context.current().heartbeat({ polls });
        await Context.current().sleep(20);
      }
      return { path: r.path, waitedSeconds: 0 };
    }),
    runCheck: (r) => record('runCheck', [r], () => real.runCheck(r)),
    addStep: (s) => record('addStep', [s], () => {
      const name = taskStepName(s);
      const existing = [...steps.values()].find((st) => st.clusterId === s.clusterId && st.name === name);
      if (existing) return { clusterId: s.clusterId, stepId: existing.stepId, reused: true };
      const step = { clusterId: s.clusterId, stepId: `s-FAKE${steps.size + 1}`, reused: false, name };
      steps.set(step.stepId, step);
      return { clusterId: step.clusterId, stepId: step.stepId, reused: false };
    }),
    waitForStep: (s) => record('waitForStep', [s], async (): Promise<StepOutcome> => {
      const ctx = Context.current();
      onWaiting();
      // A step another worker's fakes added (a worker-kill scenario) is known by id only.
      const step = steps.get(s.stepId) ?? { clusterId: s.clusterId, stepId: s.stepId, reused: true, name: '' };
      steps.set(s.stepId, step);
      step.startedAt ??= new Date().toISOString();
      while (o.holdStep && !released) {
        ctx.heartbeat({ state: 'RUNNING' });
        await ctx.sleep(50); // rejects with CancelledFailure once the workflow cancels us
      }
      if (o.stepMs) await ctx.sleep(o.stepMs);
      step.endedAt = new Date().toISOString();
      const [, taskId, attempt] = /:([^:#]+)(?:#(\d+))?$/.exec(step.name) ?? [];
      const scripted = taskId ? o.failTasks?.[taskId] : undefined;
      if (scripted && (!scripted.attempts || scripted.attempts.includes(Number(attempt ?? 1)))) {
        throw ApplicationFailure.create({ type: 'SparkStepFailed', nonRetryable: true, message: scripted.message, details: [{ stderrTail: `${taskId} failed` }] });
      }
      if (o.step) {
        throw ApplicationFailure.create({
          type: 'SparkStepFailed', nonRetryable: true, message: o.step.fails,
          details: o.step.tailInDetails ? [{ stderrTail: o.step.stderrTail ?? STDERR_TAIL }] : undefined,
        });
      }
      return { stepId: s.stepId, state: 'COMPLETED', startedAt: step.startedAt, endedAt: step.endedAt };
    }),
    fetchStepLogs: () => record('fetchStepLogs', [], () => ({ found: true, stderrTail: o.step?.stderrTail ?? STDERR_TAIL })),
    readRunReport: (reportId) => record('readRunReport', [reportId], () => (o.report ?? ((r) => r))(sampleReport(reportId))),
    terminateCluster: (clusterId) => record('terminateCluster', [clusterId], () => {
      const denied = o.terminateFails?.[clusterId];
      if (denied) throw new Error(denied);
      const c = clusters.get(clusterId);
      if (!c || c.state === 'TERMINATED') return { clusterId, action: 'already-gone' as const };
      if (c.terminationProtected) return { clusterId, action: 'protected' as const };
      c.state = 'TERMINATED';
      return { clusterId, action: 'terminated' as const, terminatedAt: new Date().toISOString() };
    }),
    // The real estimate over what the fake cluster "used": 1 + 2 × m5.xlarge on emr, wall time locally.
    runCost: (clusterId) => record('runCost', [clusterId], () => {
      const c = clusterId === null ? undefined : clusters.get(clusterId);
      const seconds = c ? (Date.now() - Date.parse(c.createdAt)) / 1000 : 0;
      const usage: ResourceUsage = (o.settings?.provider ?? 'local') === 'emr'
        ? { kind: 'emr', instances: c ? [{ instanceType: 'm5.xlarge', count: 3, market: 'ON_DEMAND' }] : [], runningSeconds: seconds }
        : { kind: 'local', wallSeconds: seconds };
      return estimateCost(usage, DEFAULT_PRICES);
    }),
    listClusters: (options) => record('listClusters', [options], () => [...clusters.values()]
      .filter((c) => c.state !== 'TERMINATED' && (c.managed || options.all || o.listLeaksUnmanaged))
      .map(({ runId: _runId, ...c }) => c)),
    ownerStatuses: (ids) => record('ownerStatuses', [ids], () =>
      Object.fromEntries(ids.map((id) => [id, o.ownerStatuses?.[id] ?? 'UNKNOWN']))),
    // Publishing is faked (test/activities/publish covers it); the lake lock is the real one on the test server.
    recoverPublish: (input) => record('recoverPublish', [input], () => ({ recovered: null })),
    publishStaged: (input) => record('publishStaged', [input], () => ({ published: [], seconds: 0 })),
    cleanStaging: (input) => record('cleanStaging', [input], () => ({ removed: [] })),
    // One lake per task queue: files share the dev server, and a lock lives on the queue of the
    // test that started it, whose worker stops when that test ends.
    requestLakeLock: (input) => record('requestLakeLock', [input], () =>
      lock.requestLakeLock({ ...input, lake: `${input.lake}/${Context.current().info.taskQueue}` })),
    runIsOpen: (input) => record('runIsOpen', [input], () => lock.runIsOpen(input)),
    registerCatalog: (input) => record('registerCatalog', [input], () => ({ database: 'duckdb (local views)', tables: [] })),
  };

  return {
    activities,
    calls,
    clusters,
    /** Resolves when waitForStep has been called. */
    waiting,
    release: () => { released = true; },
    /** The calls' names, without the lake lock workflow's own polls (runIsOpen), which come at its pace. */
    names: () => calls.map((c) => c.name).filter((n) => n !== 'runIsOpen'),
    live: () => [...clusters.values()].filter((c) => c.state !== 'TERMINATED'),
  };
}
