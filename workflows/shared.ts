// Names and payload types shared by workflows, activities and clients. No Node built-ins here:
// the worker bundles this file into the workflow sandbox.
import type { RunCost } from '../activities/cost/run-cost';
import type { PipelinePlan } from './pipeline-plan';
import type { CheckRequest, PipelineStatus, PipelineSummary, WaitForInputRequest } from './pipeline-types';
import type { RequestLakeLockInput } from './lake-lock-shared';

export const DEFAULT_TASK_QUEUE = 'emrflow';
export const PIPELINE = 'songs-etl';

/** Custom search attributes registered on the dev server (see infra/server). */
export const SEARCH_ATTRIBUTES = {
  EmrClusterId: 'KEYWORD',
  EmrStepId: 'KEYWORD',
  RunDate: 'KEYWORD',
  Pipeline: 'KEYWORD',
} as const;

export type EtlMode = 'full' | 'daily';

export interface SongsEtlInput {
  /** YYYY-MM-DD; defaults to the day before the schedule's time, else the start time's date. */
  runDate?: string;
  mode?: EtlMode;
  /** Publish even when the only failed check is the month shrink (`emrflow run --force-publish`). */
  forcePublish?: boolean;
}

/** Where Spark runs ([cluster] provider). */
export type ProviderKind = 'local' | 'emr' | 'emr-serverless';

/** Identifies the run that owns a cluster; becomes the cluster's emrflow:* tags. */
export interface RunIdentity {
  workflowId: string;
  runId: string;
  pipeline: string;
}

export interface StagedJob {
  /** Where the cluster reads the job script from (s3:// for EMR, a path for local). */
  scriptUri: string;
  contentHash: string;
}

export interface ClusterRef {
  clusterId: string;
  name: string;
  /** True when an existing cluster of this run was adopted instead of created. */
  adopted: boolean;
  createdAt: string;
}

export interface StepRequest {
  clusterId: string;
  stepName: string;
  scriptUri: string;
  args: string[];
  /** False while the run will add more steps: the cluster must not end itself when this one ends. Default true. */
  lastStep?: boolean;
  /** The run the step belongs to (emr-serverless tags its job runs with it: the application is shared). */
  run?: RunIdentity;
}

export interface StepRef {
  clusterId: string;
  stepId: string;
  reused: boolean;
}

export type StepState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'CANCEL_PENDING' | 'CANCELLED' | 'FAILED' | 'INTERRUPTED';

export interface StepOutcome {
  stepId: string;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
}

export interface TerminateResult {
  clusterId: string;
  /** terminated: we asked; already-gone: it was; protected: termination protection kept it. */
  action: 'terminated' | 'already-gone' | 'protected';
  terminatedAt?: string;
}

export interface ClusterSummary {
  clusterId: string;
  name: string;
  state: string;
  createdAt: string;
  ageMinutes: number;
  managed: boolean;
  ownerWorkflowId?: string;
  terminationProtected: boolean;
  tags: Record<string, string>;
  /** The emrflow:deployment tag: which emrflow installation created it (absent on untagged clusters). */
  deployment?: string;
  /** True when the deployment tag is this worker's deployment: only those are ever swept. */
  ownDeployment?: boolean;
  /** Why the cluster's details could not be read (e.g. DescribeCluster denied); it is then left alone. */
  unreadable?: string;
}

/** The Spark job's run report (spark-jobs/etl.py writes it; snake_case as written). */
export interface RunReport {
  run_id: string;
  mode: EtlMode;
  run_date: string | null;
  input_uri: string;
  output_uri: string;
  input: { song_files: number; log_files: number; song_records: number; log_records: number };
  rejected: { total: number; by_reason: Record<string, number> };
  rows: { songplays: number; users: number; songs: number; artists: number; time: number };
  timings_s: Record<string, number>;
  started_at: string;
  finished_at: string;
}

/** Error types that must not be retried: a failed Spark step will fail again. */
export const NON_RETRYABLE_ERRORS = [
  'SparkStepFailed',
  'BudgetExceeded',
  'StepCancelled',
  'ClusterTerminated',
  'ConfigError',
  'DataQualityFailed',
  'PreflightFailed',
  'InvalidInput',
  'InputNotArrived',
] as const;

export interface StepSubmission {
  clusterId: string;
  run: RunIdentity;
  job: StagedJob;
  mode: EtlMode;
  runDate: string;
  /** Names the run report the job writes: <output>/_reports/<reportId>.json */
  reportId: string;
  /** A pipeline task's step: its id, attempt (1-based) and argument template (placeholders filled in by the worker). */
  task?: { id: string; attempt: number; args: string[]; params: Record<string, string> };
  /** False while the run will add more steps (see StepRequest.lastStep). Default true. */
  lastStep?: boolean;
}

export interface StepLogs {
  found: boolean;
  /** The last lines of the driver's stderr, or a sentence saying why there are none. */
  stderrTail: string;
  /** Which log the tail came from (e.g. the driver's YARN container log on EMR). */
  source?: string;
}

/** One thing a run needs, checked before any cluster is paid for. */
export interface PreflightCheck {
  /** What was checked, e.g. "credentials" or "bucket s3://my-bucket". */
  name: string;
  ok: boolean;
  /** What was found: whose credentials, why a bucket is unreachable, or why it could not be verified. */
  detail: string;
  /** One line saying how to fix a failed check. */
  fix?: string;
}

export interface PreflightResult {
  provider: ProviderKind;
  checks: PreflightCheck[];
}

/** Non-secret knobs the workflow needs from the worker's config. */
export interface PipelineSettings {
  provider: ProviderKind;
  outputUri: string;
  /** [datalake] input_data: what sensors wait under (shown in the run's status). */
  inputUri?: string;
  maxRejectedShare: number;
  /** [quality] staging_keep_hours: how long cleanStaging keeps a failed run's staged output. */
  stagingKeepHours?: number;
  /** For the web UI (absent in runs recorded before): the cluster's shape in one line, "1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0". */
  cluster?: string;
  /** emr and emr-serverless: [aws] region, for console links; where the logs are written ([s3] log_uri, [emr_serverless] log_uri). */
  region?: string;
  logUri?: string;
  /** local: [local] state_dir, where clusters and step logs live. */
  stateDir?: string;
  /** [notify] on; absent when no webhook_url is configured (the URL itself never leaves the worker). */
  notifyOn?: NotifyOutcome[];
}

/** What a notification is about ([notify] on lists the ones that are sent). */
export const NOTIFY_OUTCOMES = ['failure', 'data_quality', 'cluster_left_running', 'success', 'deadline_missed'] as const;
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

/** A notification as the workflow hands it to the notify activity: no URL, no secret. */
export interface NotifyRequest {
  outcome: NotifyOutcome;
  pipeline: string;
  runDate: string;
  /** One line: the failure's message, or what the deadline watcher saw. */
  reason: string;
  /** The run the message links to (the deadline watcher's own when no run exists yet). */
  workflowId: string;
  runId: string;
  /** The Spark driver's stderr tail, for failures that carry one. */
  stderrTail?: string;
  /** Says apart the messages of one run (e.g. `deadline_missed` then `deadline_missed:late`); receivers may dedupe on it. */
  key: string;
}

/** What each webhook answered (never the URL: it is a secret). */
export interface NotifyResult {
  delivered: { webhook: number; status: number }[];
}

/**
 * The activities every worker registers (activities/index.ts satisfies this). Workflows proxy
 * this type only, so they cannot tell the EMR provider from the local one.
 */
export interface EmrflowActivities {
  /** Checks what a run needs before any cluster is paid for (with `run`, on EMR, that its input exists); throws non-retryable PreflightFailed naming each failed check and its fix. */
  preflight(run?: { mode: EtlMode; runDate: string }): Promise<PreflightResult>;
  pipelineSettings(): Promise<PipelineSettings>;
  /** The pipeline's plan; throws non-retryable InvalidInput naming the known pipelines. */
  resolvePipeline(name: string): Promise<PipelinePlan>;
  /** A sensor: heartbeats until the path exists; throws non-retryable InputNotArrived after its timeout. */
  waitForInput(request: WaitForInputRequest): Promise<{ path: string; waitedSeconds: number }>;
  /** Runs a check task's function over the run reports; throws non-retryable DataQualityFailed. */
  runCheck(request: CheckRequest): Promise<{ passed: true }>;
  /** Stages spark-jobs/<script> (default etl.py). */
  stageJob(script?: string): Promise<StagedJob>;
  createCluster(run: RunIdentity, options?: { stepConcurrency?: number }): Promise<ClusterRef>;
  addStep(submission: StepSubmission): Promise<StepRef>;
  /**
   * Heartbeats its progress; throws non-retryable SparkStepFailed / StepCancelled / ClusterTerminated,
   * or BudgetExceeded (after stopping the step) once the run's estimated cost passes `maxRunUsd`
   * (the pipeline's own), else [cost] max_run_usd.
   */
  waitForStep(step: { clusterId: string; stepId: string; maxRunUsd?: number }): Promise<StepOutcome>;
  /** The run's estimated cost from what its cluster consumed (null: the run had no cluster). */
  runCost(clusterId: string | null): Promise<RunCost>;
  fetchStepLogs(step: { clusterId: string; stepId: string }): Promise<StepLogs>;
  readRunReport(reportId: string): Promise<RunReport>;
  terminateCluster(clusterId: string): Promise<TerminateResult>;
  listClusters(options: { all?: boolean }): Promise<ClusterSummary[]>;
  /** Temporal execution status of each workflow id ('UNKNOWN' when Temporal has none). */
  ownerStatuses(workflowIds: string[]): Promise<Record<string, string>>;
  /** Write-audit-publish (activities/publish): roll forward a pending intent; publish a run's staging; drop old staging. */
  recoverPublish(input: { outputUri: string }): Promise<{ recovered: string | null }>;
  publishStaged(input: { outputUri: string; runId: string }): Promise<{ published: string[]; seconds: number }>;
  cleanStaging(input: { outputUri: string; keepHours: number }): Promise<{ removed: string[] }>;
  /** The lake lock's plumbing (workflows/lake-lock.ts). */
  requestLakeLock(input: RequestLakeLockInput): Promise<{ lockWorkflowId: string }>;
  runIsOpen(input: { workflowId: string; runId: string }): Promise<boolean>;
  /** Registers published tables in the Glue catalog (provider = emr); on local, nothing to do. Idempotent. */
  registerCatalog(input: { outputUri: string; tables: string[]; mode: EtlMode }): Promise<CatalogRegistration>;
  /** POSTs the message to every [notify] webhook_url (activities/notify); throws when one keeps failing. */
  notify(request: NotifyRequest): Promise<NotifyResult>;
}

/** What registerCatalog did for one table. */
export interface TableRegistration {
  name: string;
  created: boolean;
  /** The registered definition differed from the contract (columns, types, keys, location) and was updated. */
  updated: boolean;
  partitionsAdded: number;
  partitionsRemoved: number;
}

export interface CatalogRegistration {
  /** The Glue database, or 'duckdb (local views)' when there is nothing to register. */
  database: string;
  tables: TableRegistration[];
}

/** Workflow id of a manual songs-etl run for one date: a second start for that date is rejected. */
export function songsEtlWorkflowId(runDate: string): string {
  return pipelineWorkflowId(PIPELINE, runDate);
}

/** Workflow id of a run of any pipeline for one date (`songs-etl-2018-11-15`); one run per pipeline and date at a time. */
export function pipelineWorkflowId(pipeline: string, runDate: string): string {
  return `${pipeline}-${runDate}`;
}

/** The run's stages, and a spark task's (a pipeline run's status names the latest). */
export type SongsEtlStage =
  | 'resolveInput'
  | 'resolvePipeline'
  | 'preflight'
  | 'pipelineSettings'
  | 'waitForInput'
  | 'stageJob'
  | 'createCluster'
  | 'addStep'
  | 'waitForStep'
  | 'readRunReport'
  | 'check'
  | 'waitForLake'
  | 'recoverPublish'
  | 'cleanStaging'
  | 'publish'
  | 'catalog'
  | 'terminateCluster'
  | 'startDependants'
  | 'done';

export type { StageTiming } from './pipeline-types';
/** What the `status` query returns (songsEtl and runPipeline alike). */
export type SongsEtlStatus = PipelineStatus;
/** songsEtl's result: a pipeline summary whose report fields are always there. */
export type SongsEtlSummary = PipelineSummary & Required<Pick<PipelineSummary, 'stepId' | 'reportId' | 'rows' | 'input' | 'rejected'>>;

export interface TerminateEmrClustersInput {
  /** Report what would be terminated and terminate nothing. Default false. */
  dryRun?: boolean;
  /** Managed clusters older than this whose owning run is still RUNNING: terminated only with includeRunning. */
  olderThanMinutes?: number;
  /** With olderThanMinutes: terminate old clusters even though their owning run is RUNNING. Default false. */
  includeRunning?: boolean;
}

/** failed: the sweeper tried and could not terminate it (its own row; the others are still handled). */
export type SweepAction = 'terminated' | 'would-terminate' | 'kept' | 'protected' | 'already-gone' | 'failed';

/** Which rule decided a cluster's fate (the dry run shows it). */
export type SweepRule =
  | 'unreadable' | 'not-managed' | 'another-deployment' | 'no-owner' | 'owner-closed'
  | 'owner-running' | 'older-than-including-running';

export interface SweptCluster {
  clusterId: string;
  name: string;
  ageMinutes: number;
  owner: string | null;
  /** The owning run's Temporal status (RUNNING, COMPLETED, …, UNKNOWN). */
  ownerStatus: string;
  /** The cluster's emrflow:deployment tag (null when it has none). */
  deployment?: string | null;
  rule?: SweepRule;
  action: SweepAction;
  reason: string;
}

export interface TerminateEmrClustersResult {
  dryRun: boolean;
  clusters: SweptCluster[];
}
