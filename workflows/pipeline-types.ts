// Payload and status types of pipeline runs, shared by the runner, the activities and clients.
// No Node built-ins: bundled into the workflow sandbox.
import type { RunCost } from '../activities/cost/run-cost';
import type { PipelinePlan } from './pipeline-plan';
import type { EtlMode, PipelineSettings, RunReport, StepState } from './shared';

/** runPipeline's input, as the web UI's Start Workflow takes it. */
export interface RunPipelineInput {
  /** Name of a pipeline in pipelines/ (`emrflow pipelines list`). */
  pipeline: string;
  /** YYYY-MM-DD; default: the day before the schedule's time, else the start time's date. */
  runDate?: string;
  /** Default: daily with a run date or a schedule, else full. */
  mode?: EtlMode;
  /** Publish even when the only failed check is the month shrink (`emrflow run --force-publish`). */
  forcePublish?: boolean;
}

export type TaskState = 'waiting' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** One task of a run, as the status query and the summary show it. */
export interface TaskStatus {
  id: string;
  kind: PipelinePlan['tasks'][number]['kind'];
  dependsOn: string[];
  state: TaskState;
  /** Spark tasks: steps added so far (a retry adds a new one). */
  attempts: number;
  stepId?: string;
  stepState?: StepState;
  /** Workflow time the task started and ended. */
  startedAt?: string;
  endedAt?: string;
  /** Spark tasks: when the step itself ran on the cluster (the provider's clock). */
  stepStartedAt?: string;
  stepEndedAt?: string;
  /** Rows per table, when the task wrote a run report. */
  rows?: Record<string, number | string>;
  /** Sensors: what the task waits for. */
  waitingFor?: string;
  /** Sensors, while they wait: when the wait gives up (its timeoutMinutes after it began). */
  waitUntil?: string;
  /** Why the task failed, was skipped or cancelled. */
  reason?: string;
}

export interface StageTiming {
  stage: string;
  /** The task the stage belongs to; absent for the run's own stages (preflight, cleanup). */
  task?: string;
  startedAt: string;
  endedAt?: string;
  seconds?: number;
}

/** What the `status` query returns. `stage`, `clusterId`, `stepId` and `stepState` are the latest of any task. */
export interface PipelineStatus {
  pipeline: string;
  stage: string;
  runDate?: string;
  mode?: EtlMode;
  clusterId?: string;
  stepId?: string;
  stepState?: StepState;
  /** Set while the run waits for the lake lock: "waiting for the lake, held by <workflow id>". */
  lake?: string;
  stages: StageTiming[];
  tasks: TaskStatus[];
}

/** The result of a pipeline run. */
export interface PipelineSummary {
  pipeline: string;
  runDate: string;
  mode: EtlMode;
  provider: PipelineSettings['provider'];
  /** null when no task needed a cluster. */
  clusterId: string | null;
  tasks: TaskStatus[];
  stages: StageTiming[];
  /** Where the tables were written. */
  output: string;
  /** createCluster's createdAt → terminateCluster's terminatedAt; null when unknown or no cluster. */
  clusterBilledSeconds: number | null;
  /** Runs of pipelines that run after this one, started when it succeeded. */
  dependantsStarted: string[];
  /** What the run's cluster consumed and its estimated cost (absent in runs from before #15, or when it could not be read). */
  cost?: RunCost;
  /** From the task that wrote the run report (songs-etl: etl). */
  stepId?: string;
  reportId?: string;
  rows?: RunReport['rows'];
  input?: RunReport['input'];
  rejected?: RunReport['rejected'];
}

/** Input of the waitForInput activity: the sensor's path template, filled in by the worker. */
export interface WaitForInputRequest {
  path: string;
  runDate: string;
  mode: EtlMode;
  runId: string;
  timeoutMinutes: number;
  pollSeconds: number;
}

export interface CheckRequest {
  pipeline: string;
  task: string;
  reports: Record<string, RunReport>;
  runDate: string;
  mode: EtlMode;
  forcePublish: boolean;
}
