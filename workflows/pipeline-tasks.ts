// What each task kind does. Each function runs one task to its end or throws the run's failure.
import { fillPlaceholders, runValues } from '../pipelines/placeholders';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { api, lake, waitForInput, waitForStep } from './activities-proxy';
import type { PipelinePlan, PlannedTask } from './pipeline-plan';
import type { PipelineStatus, TaskStatus } from './pipeline-types';
import type { RunCluster, StageRunner } from './run-cluster';
import { EMR_STEP_ID } from './search-attributes';
import type { EtlMode, PipelineSettings, RunIdentity, RunReport, StagedJob, StepOutcome, StepRef } from './shared';
import { stderrTailIn } from './stage-failure';

export interface RunContext {
  plan: PipelinePlan;
  run: RunIdentity;
  runDate: string;
  mode: EtlMode;
  /** The run's id for scripts ({runId}): names its report and its staging. */
  reportId: string;
  forcePublish: boolean;
  settings: PipelineSettings;
  status: PipelineStatus;
  stage: StageRunner;
  cluster: RunCluster;
  /** Run reports of the spark tasks that wrote one, by task id. */
  reports: Record<string, RunReport>;
  stagedJobs: Map<string, Promise<StagedJob>>;
  /** Renders the run's current details again after a change the stages do not see (a task's state). */
  show: () => void;
}

type Of<K extends PlannedTask['kind']> = Extract<PlannedTask, { kind: K }>;

export async function runTask(ctx: RunContext, task: PlannedTask, status: TaskStatus): Promise<void> {
  switch (task.kind) {
    case 'waitForInput': return sensor(ctx, task, status);
    case 'spark': return spark(ctx, task, status);
    case 'check': return check(ctx, task);
    case 'publish': return publish(ctx, task);
    case 'catalog': return catalog(ctx, task);
  }
}

async function sensor(ctx: RunContext, task: Of<'waitForInput'>, status: TaskStatus): Promise<void> {
  const path = task.path[ctx.mode];
  if (!path) {
    status.reason = `nothing to wait for in ${ctx.mode} mode`;
    return;
  }
  // What a person sees while it waits: the path with the run's values (the worker resolves the
  // same template itself; runs recorded before inputUri existed show the template).
  status.waitingFor = ctx.settings.inputUri === undefined ? path : fillPlaceholders(path, runValues({
    runDate: ctx.runDate, mode: ctx.mode, runId: ctx.reportId, input: ctx.settings.inputUri, output: ctx.settings.outputUri,
  }));
  // For the status query only (`run --wait` names it): workflow time, no command, and gone
  // again once the wait ends, so a run's result is what it was.
  status.waitUntil = new Date(new Date().getTime() + task.timeoutMinutes * 60_000).toISOString();
  const found = await ctx.stage('waitForInput', task.id, () => waitForInput(task.timeoutMinutes).executeWithOptions({ summary: `wait for ${status.waitingFor}` }, [{
    path, runDate: ctx.runDate, mode: ctx.mode, runId: ctx.reportId, timeoutMinutes: task.timeoutMinutes, pollSeconds: task.pollSeconds,
  }]));
  delete status.waitUntil;
  status.waitingFor = found.path;
}

async function spark(ctx: RunContext, task: Of<'spark'>, status: TaskStatus): Promise<void> {
  const jobKey = task.script;
  if (!ctx.stagedJobs.has(jobKey)) ctx.stagedJobs.set(jobKey, ctx.stage('stageJob', task.id, () => api.stageJob.executeWithOptions({ summary: `stage ${task.script}` }, [task.script])));
  const job = await ctx.stagedJobs.get(jobKey)!;
  const { clusterId } = await ctx.cluster.ensure();
  const what = `${task.script} ${ctx.mode} ${ctx.runDate}${ctx.plan.tasks.filter((t) => t.kind === 'spark').length > 1 ? ` (task ${task.id})` : ''}`;
  for (let attempt = 1; ; attempt += 1) {
    status.attempts = attempt;
    // The last step the run adds lets the cluster end itself when its steps are done (EMR).
    const lastStep = attempt > task.retries && !ctx.status.tasks.some((t) => t.id !== task.id && t.kind === 'spark' && t.state === 'waiting');
    const step = await ctx.stage('addStep', task.id, () => api.addStep.executeWithOptions({ summary: `add step: ${what}${attempt > 1 ? `, attempt ${attempt}` : ''} on ${clusterId}` }, [{
      clusterId, run: ctx.run, job, mode: ctx.mode, runDate: ctx.runDate, reportId: ctx.reportId,
      task: { id: task.id, attempt, args: task.args, params: ctx.plan.params }, lastStep,
    }]));
    Object.assign(status, { stepId: step.stepId, stepState: 'PENDING' });
    Object.assign(ctx.status, { stepId: step.stepId, stepState: 'PENDING' });
    upsertSearchAttributes([{ key: EMR_STEP_ID, value: step.stepId }]);
    try {
      const outcome = await ctx.stage('waitForStep', task.id, () => waitForStepOrExplain(step, status, `Spark: ${what}`, ctx.plan.maxRunUsd));
      Object.assign(status, { stepState: outcome.state, stepStartedAt: outcome.startedAt, stepEndedAt: outcome.endedAt });
      ctx.status.stepState = outcome.state;
      break;
    } catch (err) {
      status.stepState = 'FAILED';
      ctx.status.stepState = 'FAILED';
      const failed = err instanceof ApplicationFailure && err.type === 'SparkStepFailed';
      if (!failed || attempt > task.retries) throw err;
    }
  }
  if (task.report) {
    const report = await ctx.stage('readRunReport', task.id, () => api.readRunReport.executeWithOptions({ summary: `read run report ${ctx.reportId}` }, [ctx.reportId]));
    ctx.reports[task.id] = report;
    status.rows = { ...report.rows };
  }
}

async function check(ctx: RunContext, task: Of<'check'>): Promise<void> {
  // The activity's DataQualityFailed already says everything: rethrown as is, not wrapped again.
  await ctx.stage('check', task.id, () => api.runCheck.executeWithOptions({ summary: `check ${task.id}: ${task.description}` }, [{
    pipeline: ctx.plan.name, task: task.id, reports: ctx.reports, runDate: ctx.runDate, mode: ctx.mode, forcePublish: ctx.forcePublish,
  }]));
}

async function publish(ctx: RunContext, task: Of<'publish'>): Promise<void> {
  await ctx.stage('publish', task.id, () => lake.publishStaged.executeWithOptions(
    { summary: `publish ${ctx.reportId} to ${ctx.settings.outputUri}` }, [{ outputUri: ctx.settings.outputUri, runId: ctx.reportId }]));
}

async function catalog(ctx: RunContext, task: Of<'catalog'>): Promise<void> {
  await ctx.stage('catalog', task.id, () => api.registerCatalog.executeWithOptions(
    { summary: `catalog: ${task.tables.join(', ')}` }, [{ outputUri: ctx.settings.outputUri, tables: task.tables, mode: ctx.mode }]));
}

/** Waits for the step; when it failed, fails with the reason and the stderr tail of the driver. */
async function waitForStepOrExplain(step: StepRef, status: TaskStatus, summary: string, maxRunUsd: number | undefined): Promise<StepOutcome> {
  try {
    return await waitForStep.executeWithOptions({ summary }, [{ clusterId: step.clusterId, stepId: step.stepId, ...(maxRunUsd !== undefined && { maxRunUsd }) }]);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== 'SparkStepFailed') throw err;
    status.stepState = 'FAILED';
    const stderrTail = stderrTailIn(cause) ?? await fetchTail(step);
    // Name the step and give the tail once, whether or not the provider's message already does.
    const head = cause.message.startsWith(`Spark step ${step.stepId} `) ? cause.message
      : `Spark step ${step.stepId} failed: ${cause.message}`;
    throw ApplicationFailure.create({
      type: 'SparkStepFailed',
      message: cause.message.includes(stderrTail) ? head : `${head}\n--- driver stderr (tail) ---\n${stderrTail}`,
      nonRetryable: true,
      details: [{ clusterId: step.clusterId, stepId: step.stepId, reason: cause.message, stderrTail }],
    });
  }
}

async function fetchTail(step: StepRef): Promise<string> {
  try {
    return (await api.fetchStepLogs.executeWithOptions({ summary: `stderr of ${step.stepId}` }, [{ clusterId: step.clusterId, stepId: step.stepId }])).stderrTail;
  } catch (err) {
    return `(could not fetch the step's logs: ${err instanceof Error ? err.message : String(err)})`;
  }
}
