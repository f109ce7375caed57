// The seam between workflows and wherever Spark runs. Two implementations: local (spark-submit on
// this machine, state on disk) and emr (AWS EMR). Both are idempotent where retries can repeat a
// call: create adopts the run's live cluster, addStep reuses a step with the same name,
// terminate treats "already gone" as success.
import type { ResourceUsage } from '../cost/usage';
import type {
  ClusterRef, ClusterSummary, ProviderKind, RunIdentity, StagedJob, StepLogs, StepRef, StepRequest, StepState, TerminateResult,
} from '../../workflows/shared';

export const TAG = {
  managed: 'emrflow:managed',
  deployment: 'emrflow:deployment',
  workflowId: 'emrflow:workflow-id',
  runId: 'emrflow:run-id',
  pipeline: 'emrflow:pipeline',
} as const;

export const clusterName = (workflowId: string): string => `emrflow-${workflowId}`;
export const stepName = (pipeline: string, workflowId: string): string => `${pipeline}:${workflowId}`;

/** emrflow's own tags plus the configured extra tags (which can never override ours). */
export function clusterTags(run: RunIdentity, deployment: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [TAG.managed]: 'true',
    [TAG.deployment]: deployment,
    [TAG.workflowId]: run.workflowId,
    [TAG.runId]: run.runId,
    [TAG.pipeline]: run.pipeline,
  };
}

export interface StepStatus {
  stepId: string;
  name: string;
  state: StepState;
  /** Why the step failed or was cancelled, when known. */
  reason?: string;
  /** The provider's own finer state when it has one (EMR Serverless: SUBMITTED, PENDING, SCHEDULED, QUEUED, RUNNING, …). */
  detail?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface ClusterStatus {
  clusterId: string;
  state: string;
  /** TERMINATING, TERMINATED or TERMINATED_WITH_ERRORS: no step will make progress any more. */
  ended: boolean;
  reason?: string;
}

export interface ClusterProvider {
  readonly kind: ProviderKind;
  /** Seconds between two polls of a running step. */
  readonly pollSeconds: number;
  /** Makes the job script reachable by the cluster under a content-hash name (uploads once). */
  stageJob(scriptPath: string): Promise<StagedJob>;
  createCluster(run: RunIdentity, options?: { stepConcurrency?: number }): Promise<ClusterRef>;
  addStep(request: StepRequest): Promise<StepRef>;
  describeStep(clusterId: string, stepId: string): Promise<StepStatus>;
  /**
   * Optional: resolves as soon as the step may have changed state (or when `signal` aborts), so
   * waitForStep can poll again at once instead of sleeping out the poll interval. Providers that
   * cannot tell leave it out and are polled every `pollSeconds`.
   */
  watchStep?(clusterId: string, stepId: string, signal: AbortSignal): Promise<void>;
  describeCluster(clusterId: string): Promise<ClusterStatus>;
  cancelStep(clusterId: string, stepId: string): Promise<void>;
  terminateCluster(clusterId: string): Promise<TerminateResult>;
  /**
   * What the run's cluster (its handle) has consumed so far, or in total once it ended: the
   * input of the cost estimate. Called at every poll of a waiting step when the run has a
   * budget, and once after terminate for the run's summary.
   */
  usage(clusterId: string): Promise<ResourceUsage>;
  /**
   * Clusters tagged emrflow:managed=true (of every deployment: ownDeployment says which are
   * ours); active ones only unless `all`. Reads every page. A cluster that cannot be described
   * is listed with `unreadable` set instead of failing the whole listing.
   */
  listClusters(options: { all?: boolean }): Promise<ClusterSummary[]>;
  /**
   * The last lines of the step's driver stderr. A provider whose logs arrive late waits for them
   * (bounded by wait.maxWaitMs), calling wait.onWait between looks so the caller can heartbeat.
   */
  stepLogs(clusterId: string, stepId: string, wait?: { onWait?: () => void; maxWaitMs?: number }): Promise<StepLogs>;
  /**
   * Optional: links a person can follow for one step (a job run's Spark UI, its logs). Fetched
   * when asked, as such links expire.
   */
  stepLinks?(clusterId: string, stepId: string): Promise<StepLinks>;
}

export interface StepLinks {
  /** The Spark UI / dashboard URL (EMR Serverless: GetDashboardForJobRun, valid about an hour). */
  dashboardUrl?: string;
  /** Where the step's logs are written. */
  logLocation?: string;
}

export const STDERR_TAIL_LINES = 40;

/** A log4j line at INFO/DEBUG/TRACE, as spark-submit writes them around the actual error. */
const CHATTER = /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} (INFO|DEBUG|TRACE) /;

/**
 * The last lines of a driver's stderr that say something: Spark's INFO chatter (its shutdown
 * hook logs a dozen lines after the Python traceback) is left out when anything else is left.
 */
export function tailLines(text: string, lines = STDERR_TAIL_LINES): string {
  const all = text.replace(/\s+$/, '').split('\n');
  const meaningful = all.filter((l) => !CHATTER.test(l));
  return (meaningful.some((l) => l.trim() !== '') ? meaningful : all).slice(-lines).join('\n');
}

/** `deployment`: this process's deployment, to tell its own clusters from other deployments'. */
export function summarise(
  base: Omit<ClusterSummary, 'ageMinutes' | 'managed' | 'ownerWorkflowId' | 'deployment' | 'ownDeployment'>,
  deployment: string,
  now = Date.now(),
): ClusterSummary {
  return {
    ...base,
    ageMinutes: Math.max(0, Math.floor((now - Date.parse(base.createdAt)) / 60_000)),
    managed: base.tags[TAG.managed] === 'true',
    ownerWorkflowId: base.tags[TAG.workflowId],
    deployment: base.tags[TAG.deployment],
    ownDeployment: base.tags[TAG.deployment] === deployment,
  };
}
