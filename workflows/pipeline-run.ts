// The generic runner: any pipeline's DAG on one lazily created cluster. Tasks start as soon as
// their dependencies succeeded; when one fails, the running ones are cancelled, the waiting ones
// skipped, and the run fails with the first failure once all have stopped. The cluster is
// terminated as soon as no remaining task needs it, and in any case before the run ends.
import { ApplicationFailure, CancelledFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope, defineQuery, isCancellation, log, ParentClosePolicy, setCurrentDetails, setHandler, startChild, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { api } from './activities-proxy';
import { enterLake } from './lake';
import { runsOnCluster, type PipelinePlan } from './pipeline-plan';
import { runTask, type RunContext } from './pipeline-tasks';
import { RunNotifier } from './run-notify';
import type { PipelineStatus, PipelineSummary, RunPipelineInput, TaskStatus } from './pipeline-types';
import { RunCluster, type StageRunner } from './run-cluster';
import { failureView, renderRunDetails, type RunDetailsView } from './run-details';
import { runMetadata } from './run-metadata';
import { reportIdFor, resolveRun } from './run-input';
import { PIPELINE_KEY, RUN_DATE, SCHEDULED_START_TIME } from './search-attributes';
import { pipelineWorkflowId, type EtlMode, type PipelineSettings, type SongsEtlStage } from './shared';
import { stageFailure } from './stage-failure';

export const statusQuery = defineQuery<PipelineStatus>('status');

const INPUT_KEYS = ['pipeline', 'runDate', 'mode', 'forcePublish'];

/** Runs any pipeline from pipelines/: `{"pipeline": "sparkify-reports", "runDate": "2018-11-15", "mode": "daily"}`. */
export async function runPipeline(input: RunPipelineInput): Promise<PipelineSummary> {
  const unknown = input && typeof input === 'object' ? Object.keys(input).filter((k) => !INPUT_KEYS.includes(k)) : [];
  if (!input || typeof input !== 'object' || typeof input.pipeline !== 'string' || unknown.length > 0) {
    throw ApplicationFailure.create({
      type: 'InvalidInput', nonRetryable: true,
      message: `runPipeline input must be like {"pipeline": "songs-etl", "runDate": "2018-11-15", "mode": "daily"}`
        + (unknown.length > 0 ? `; unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}` : `, got ${JSON.stringify(input)}`),
    });
  }
  return executePipeline(input.pipeline, input, 'runPipeline');
}

export async function executePipeline(name: string, input: unknown, workflowType: string): Promise<PipelineSummary> {
  // Messages and the deadline watcher (run-notify.ts): told the outcome, never able to change it.
  const notifier = new RunNotifier(name);
  return notifier.around(() => executeShown(name, input, workflowType, notifier));
}

/** The run with its page in the web UI: current details rendered at every change and at the end. */
async function executeShown(name: string, input: unknown, workflowType: string, notifier: RunNotifier): Promise<PipelineSummary> {
  const status: PipelineStatus = { pipeline: name, stage: 'resolveInput', stages: [], tasks: [] };
  setHandler(statusQuery, () => status);
  // What the run's page shows as Current Details: rendered again at every change (it is the
  // workflow's local state, served by a query, so it adds nothing to the history).
  const shown: Pick<RunDetailsView, 'settings' | 'reports' | 'billedSeconds' | 'cost' | 'failure'> = { reports: {} };
  const show = (outcome: RunDetailsView['outcome'] = 'running') =>
    setCurrentDetails(renderRunDetails({ status, now: new Date().toISOString(), outcome, ...shown }));
  const stage: StageRunner = async (stageName, task, fn) => {
    status.stage = stageName as SongsEtlStage;
    const timing: PipelineStatus['stages'][number] = { stage: stageName, ...(task && { task }), startedAt: new Date().toISOString() };
    status.stages.push(timing);
    show();
    try {
      return await fn();
    } catch (err) {
      throw stageFailure(stageName, err, task);
    } finally {
      timing.endedAt = new Date().toISOString();
      timing.seconds = (Date.parse(timing.endedAt) - Date.parse(timing.startedAt)) / 1000;
      show();
    }
  };
  let cluster: RunCluster | undefined;
  try {
    const summary = await execute(name, input, workflowType, { status, stage, shown, show }, (c) => { cluster = c; }, notifier);
    Object.assign(shown, { billedSeconds: summary.clusterBilledSeconds, cost: summary.cost });
    show('succeeded');
    return summary;
  } catch (err) {
    status.stage = 'done';
    const failure = err instanceof ApplicationFailure ? err : err instanceof Error ? err : new Error(String(err));
    shown.failure = failureView(failure.message, failure instanceof ApplicationFailure ? failure.details : undefined);
    shown.billedSeconds = await cluster?.billedSeconds();
    show(isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

interface Display {
  status: PipelineStatus;
  stage: StageRunner;
  shown: Pick<RunDetailsView, 'settings' | 'reports'>;
  show: () => void;
}

async function execute(
  name: string, input: unknown, workflowType: string, { status, stage, shown, show }: Display, onCluster: (c: RunCluster) => void,
  notifier: RunNotifier,
): Promise<PipelineSummary> {
  const info = workflowInfo();
  const { runDate, mode } = resolveRun(input, { scheduledAt: info.typedSearchAttributes.get(SCHEDULED_START_TIME), startedAt: info.startTime }, workflowType);
  const forcePublish = (input as { forcePublish?: unknown } | null)?.forcePublish === true;
  Object.assign(status, { runDate, mode });
  notifier.runDate = runDate;
  upsertSearchAttributes([{ key: RUN_DATE, value: runDate }, { key: PIPELINE_KEY, value: name }]);
  const plan = await stage('resolvePipeline', undefined, () => api.resolvePipeline.executeWithOptions({ summary: `resolve pipeline ${name}` }, [name]));
  status.tasks = plan.tasks.map((t): TaskStatus => ({ id: t.id, kind: t.kind, dependsOn: t.dependsOn, state: 'waiting', attempts: 0 }));
  await notifier.planned(plan, runDate);
  const run = { workflowId: info.workflowId, runId: info.runId, pipeline: name };

  // Before anything is paid for: a missing bucket or role fails the run here, with the fix.
  // The run's input is checked here only where no waitForInput sensor waits for it in this mode
  // (a daily songs-etl run waits for its logs instead of failing at once), and only for pipelines
  // that read {input} at all.
  const inputChecked = plan.tasks.some((t) => t.kind === 'spark' && t.args.some((a) => a.includes('{input}')))
    && !plan.tasks.some((t) => t.kind === 'waitForInput' && t.path[mode] !== undefined);
  await stage('preflight', undefined, () => api.preflight.executeWithOptions(
    { summary: `preflight${inputChecked ? `: buckets, roles and the input of ${runDate}` : ': buckets and roles'}` },
    [inputChecked ? { mode, runDate } : undefined]));
  const settings = await stage('pipelineSettings', undefined, () => api.pipelineSettings());
  shown.settings = settings;
  notifier.pipelineSettings = settings;
  const cluster = new RunCluster(run, plan.stepConcurrency, stage, (c) => { status.clusterId = c.clusterId; show(); }, settings.cluster);
  onCluster(cluster);
  const ctx: RunContext = {
    plan, run, runDate, mode, forcePublish, settings, status, stage, cluster, show,
    reportId: reportIdFor(info.workflowId, info.runId), reports: {}, stagedJobs: new Map(),
  };
  shown.reports = ctx.reports;
  let failure: unknown;
  const lakeHold = enterLake(ctx);
  try {
    failure = await runDag(ctx, lakeHold.enter);
  } finally {
    await cluster.terminate();
    await lakeHold.leave();
    status.stage = 'done';
  }
  if (failure !== undefined) throw failure;
  // Reached only when every task succeeded: a failed run keeps its own failure, not cleanup's.
  const leftRunning = await cluster.failure(settings.provider);
  if (leftRunning) throw leftRunning;
  // A cancel that arrived while the cluster was being terminated: the user asked for CANCELLED.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('cancelled during cleanup');
  const dependantsStarted = await stage('startDependants', undefined, () => startDependants(plan, runDate, mode, settings));
  status.stage = 'done';
  const cost = await cluster.cost();
  return { ...summaryOf(ctx, await cluster.billedSeconds(), dependantsStarted), ...(cost && { cost }) };
}

/** Runs the DAG to its end; returns the first failure (cancellation included), or undefined. */
async function runDag(ctx: RunContext, enterLake: () => Promise<void>): Promise<unknown> {
  const { plan, status } = ctx;
  const byId = new Map(status.tasks.map((t) => [t.id, t]));
  const running = new Map<string, { scope: CancellationScope; done: Promise<string> }>();
  let failure: unknown;
  const writes = (kind: string) => kind === 'spark' || kind === 'publish' || kind === 'catalog';
  for (;;) {
    for (const task of plan.tasks) {
      const s = byId.get(task.id)!;
      if (s.state !== 'waiting') continue;
      const deps = task.dependsOn.map((d) => byId.get(d)!);
      const blocked = deps.find((d) => d.state !== 'waiting' && d.state !== 'running' && d.state !== 'succeeded');
      if (failure !== undefined || blocked) {
        Object.assign(s, { state: 'skipped', reason: blocked ? `${blocked.id} ${blocked.state}` : 'the run failed' });
        ctx.show();
        continue;
      }
      if (!deps.every((d) => d.state === 'succeeded')) continue;
      const scope = new CancellationScope();
      Object.assign(s, { state: 'running', startedAt: new Date().toISOString() });
      // Taken in the run's scope, not the task's: cancelling one task must not drop the lake.
      const lakeReady = writes(task.kind) ? enterLake() : undefined;
      const done = scope.run(async () => {
        if (lakeReady) await Promise.race([lakeReady, CancellationScope.current().cancelRequested]);
        await runTask(ctx, task, s);
      }).then(() => { s.state = 'succeeded'; }, (err: unknown) => {
        Object.assign(s, { state: isCancellation(err) ? 'cancelled' : 'failed', reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
        failure ??= err;
        // One task failed: stop the others now rather than pay for work the run will discard.
        for (const [id, other] of running) if (id !== task.id) other.scope.cancel();
      }).then(() => {
        s.endedAt = new Date().toISOString();
        ctx.show();
        return task.id;
      });
      running.set(task.id, { scope, done });
    }
    if (running.size === 0) return failure;
    const finished = await Promise.race([...running.values()].map((r) => r.done));
    running.delete(finished);
    // Terminate the cluster as soon as no remaining task needs it (sensors and checks do not).
    const needed = plan.tasks.some((t) => runsOnCluster(t) && ['waiting', 'running'].includes(byId.get(t.id)!.state));
    if (!needed && ctx.cluster.ref) await ctx.cluster.terminate();
  }
}

/** Starts the runs of the pipelines that run after this one, for the same date and mode. */
async function startDependants(plan: PipelinePlan, runDate: string, mode: EtlMode, settings: PipelineSettings): Promise<string[]> {
  const started: string[] = [];
  for (const pipeline of plan.dependants) {
    const workflowId = pipelineWorkflowId(pipeline, runDate);
    try {
      await startChild(runPipeline, {
        workflowId, args: [{ pipeline, runDate, mode }],
        ...runMetadata({
          pipeline, runDate, mode, startedBy: `the run of ${plan.name} it runs after (${workflowInfo().workflowId})`,
          place: { provider: settings.provider, cluster: settings.cluster, region: settings.region, inputUri: settings.inputUri, outputUri: settings.outputUri },
        }),
        // The dependant outlives this run: it starts when this one succeeded, and runs on its own.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push(workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('a run of the dependant pipeline is already going for this date', { workflowId });
    }
  }
  return started;
}

function summaryOf(ctx: RunContext, clusterBilledSeconds: number | null, dependantsStarted: string[]): PipelineSummary {
  const reporting = ctx.plan.tasks.find((t) => t.kind === 'spark' && t.report);
  const report = reporting && ctx.reports[reporting.id];
  const step = reporting && ctx.status.tasks.find((t) => t.id === reporting.id);
  return {
    pipeline: ctx.plan.name, runDate: ctx.runDate, mode: ctx.mode, provider: ctx.settings.provider,
    clusterId: ctx.cluster.ref?.clusterId ?? null, tasks: ctx.status.tasks, stages: ctx.status.stages,
    output: report?.output_uri || ctx.settings.outputUri, clusterBilledSeconds, dependantsStarted,
    ...(report && {
      stepId: step?.stepId, reportId: ctx.reportId, rows: report.rows, input: report.input, rejected: report.rejected,
    }),
  };
}
