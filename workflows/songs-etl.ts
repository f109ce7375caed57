// The songs ETL as the DAG it is: preflight → settings → stage job → create cluster → add step → wait →
// read report → data-quality gate, and the cluster is terminated whatever happened.
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  CancellationScope, defineQuery, log, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { api, terminateCluster, waitForStep } from './activities-proxy';
import { assertDataQuality } from './data-quality';
import { reportIdFor, resolveRun } from './run-input';
import { EMR_CLUSTER_ID, EMR_STEP_ID, PIPELINE_KEY, RUN_DATE, SCHEDULED_START_TIME } from './search-attributes';
import {
  PIPELINE, type ClusterRef, type SongsEtlInput, type SongsEtlStage, type SongsEtlStatus, type SongsEtlSummary,
  type StepRef, type TerminateResult,
} from './shared';
import { stageFailure, stderrTailIn } from './stage-failure';

export const statusQuery = defineQuery<SongsEtlStatus>('status');

export async function songsEtl(input?: SongsEtlInput): Promise<SongsEtlSummary> {
  const info = workflowInfo();
  const status: SongsEtlStatus = { stage: 'resolveInput', stages: [] };
  setHandler(statusQuery, () => status);
  const stage = async <T>(name: SongsEtlStage, fn: () => Promise<T>): Promise<T> => {
    status.stage = name;
    const timing: SongsEtlStatus['stages'][number] = { stage: name, startedAt: new Date().toISOString() };
    status.stages.push(timing);
    try {
      return await fn();
    } catch (err) {
      throw stageFailure(name, err);
    } finally {
      timing.endedAt = new Date().toISOString();
      timing.seconds = (Date.parse(timing.endedAt) - Date.parse(timing.startedAt)) / 1000;
    }
  };

  const { runDate, mode } = resolveRun(input, { scheduledAt: info.typedSearchAttributes.get(SCHEDULED_START_TIME), startedAt: info.startTime });
  Object.assign(status, { runDate, mode });
  upsertSearchAttributes([{ key: RUN_DATE, value: runDate }, { key: PIPELINE_KEY, value: PIPELINE }]);
  const run = { workflowId: info.workflowId, runId: info.runId, pipeline: PIPELINE };
  const reportId = reportIdFor(info.workflowId, info.runId);

  let cluster: ClusterRef | undefined;
  let summary: SongsEtlSummary;
  let cleanup: Cleanup | undefined;
  try {
    // Before anything is paid for: a missing bucket or role fails the run here, with the fix.
    await stage('preflight', () => api.preflight({ mode, runDate }));
    const settings = await stage('pipelineSettings', () => api.pipelineSettings());
    const job = await stage('stageJob', () => api.stageJob());
    // Not cancellable: once asked for, the cluster's id must reach the finally below.
    cluster = await stage('createCluster', () => CancellationScope.nonCancellable(() => api.createCluster(run)));
    const clusterId = cluster.clusterId;
    status.clusterId = clusterId;
    upsertSearchAttributes([{ key: EMR_CLUSTER_ID, value: clusterId }]);
    const step = await stage('addStep', () => api.addStep({ clusterId, run, job, mode, runDate, reportId }));
    Object.assign(status, { stepId: step.stepId, stepState: 'PENDING' });
    upsertSearchAttributes([{ key: EMR_STEP_ID, value: step.stepId }]);
    const outcome = await stage('waitForStep', () => waitForStepOrExplain(step, status));
    status.stepState = outcome.state;
    const report = await stage('readRunReport', () => api.readRunReport(reportId));
    await stage('dataQuality', async () => assertDataQuality(report, settings.maxRejectedShare));
    summary = {
      runDate, mode, provider: settings.provider, clusterId, stepId: step.stepId, reportId,
      stages: status.stages, rows: report.rows, input: report.input, rejected: report.rejected,
      output: report.output_uri || settings.outputUri, clusterBilledSeconds: null,
    };
  } finally {
    const clusterId = cluster?.clusterId;
    if (clusterId) {
      cleanup = await CancellationScope.nonCancellable(() => stage('terminateCluster', () => terminateCluster(clusterId))
        .then((terminated): Cleanup => ({ terminated }), (error: unknown): Cleanup => ({ error })));
      if (cleanup.error) log.error('could not terminate the cluster; the idle timeout and the sweeper will', { clusterId, error: String(cleanup.error) });
      if (cleanup.terminated?.action === 'protected') log.warn('termination protection kept the cluster alive', { clusterId });
    }
    status.stage = 'done';
  }
  // Reached only when the run succeeded: a failed run keeps its own failure, not cleanup's. The
  // tables are written, but a cluster is left running: fail, naming it, so somebody notices.
  if (cleanup?.error) throw clusterLeftRunning(cluster!.clusterId, summary.provider, cleanup.error);
  // A cancel that arrived while the cluster was being terminated: the user asked for CANCELLED.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('cancelled during cleanup');
  return { ...summary, clusterBilledSeconds: billedSeconds(cluster, cleanup?.terminated) };
}

interface Cleanup { terminated?: TerminateResult; error?: unknown }

function clusterLeftRunning(clusterId: string, provider: 'local' | 'emr', error: unknown): ApplicationFailure {
  const cause = error instanceof ApplicationFailure && error.cause instanceof Error ? error.cause : error;
  const why = cause instanceof Error ? cause.message : String(cause);
  return ApplicationFailure.create({
    type: 'ClusterNotTerminated',
    message: `stage terminateCluster: the tables were written, but cluster ${clusterId} could not be terminated (${why}); `
      + (provider === 'emr' ? 'it ends at its idle timeout ([emr] idle_timeout_minutes), or run `emrflow clusters sweep` now'
        : 'run `emrflow clusters sweep` to end it'),
    nonRetryable: true,
    details: [{ clusterId }],
    cause: error instanceof Error ? error : undefined,
  });
}

function billedSeconds(cluster: ClusterRef | undefined, terminated: TerminateResult | undefined): number | null {
  if (!cluster || !terminated?.terminatedAt) return null;
  return (Date.parse(terminated.terminatedAt) - Date.parse(cluster.createdAt)) / 1000;
}

/** Waits for the step; when it failed, fails with the reason and the stderr tail of the driver. */
async function waitForStepOrExplain(step: StepRef, status: SongsEtlStatus) {
  try {
    return await waitForStep({ clusterId: step.clusterId, stepId: step.stepId });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== 'SparkStepFailed') throw err;
    status.stepState = 'FAILED';
    const carried = stderrTailIn(cause);
    const stderrTail = carried ?? await fetchTail(step);
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
    return (await api.fetchStepLogs({ clusterId: step.clusterId, stepId: step.stepId })).stderrTail;
  } catch (err) {
    return `(could not fetch the step's logs: ${err instanceof Error ? err.message : String(err)})`;
  }
}
