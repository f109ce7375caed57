// The pipeline definition: what a user writes, one file per pipeline in this folder
// (`export default definePipeline({...})`). The worker loads and validates every file here at
// start-up; `emrflow pipelines validate` does the same. Plain data plus pure check functions:
// no I/O at import time.

/** The run's values a spark task's arguments (and a sensor's path) may use, as `{name}`. */
export const RUN_PLACEHOLDERS = ['runDate', 'runYear', 'runMonth', 'runDay', 'mode', 'input', 'output', 'runId'] as const;
export type RunPlaceholder = (typeof RUN_PLACEHOLDERS)[number];

interface TaskBase {
  /** Unique within the pipeline; kebab-case or camelCase; names the task in the status, logs and step names. */
  id: string;
  /** Ids of the tasks that must succeed before this one starts. Default: none (starts at once). */
  dependsOn?: string[];
}

/** A PySpark script run as one step on the run's cluster. */
export interface SparkTask extends TaskBase {
  kind: 'spark';
  /** Path of the script relative to spark-jobs/, e.g. 'etl.py' or 'reports/plays_by_level.py'. */
  script: string;
  /** The script's arguments; `{runDate}` etc. (RUN_PLACEHOLDERS) and the pipeline's `params` are filled in. Default: none. */
  args?: string[];
  /**
   * How many times a failed step is re-added (each attempt is a new step named
   * `<pipeline>:<workflowId>:<task>#<attempt>`, never a duplicate). Default 0.
   */
  retries?: number;
  /**
   * The script writes a run report to `{output}/_reports/{runId}.json` (as spark-jobs/etl.py
   * does): the runner reads it after the step, shows it in the summary and gives it to checks.
   * At most one task per pipeline. Default false.
   */
  report?: boolean;
}

/** A sensor: waits, before any cluster exists, until the run's input is there. */
export interface WaitForInputTask extends TaskBase {
  kind: 'waitForInput';
  /**
   * A local path or an s3:// prefix, with placeholders. Per mode when it differs; a mode with no
   * path has nothing to wait for (the task succeeds at once).
   */
  path: string | { daily?: string; full?: string };
  /** Give up (fail the run, saying what was awaited) after this long. Default 360 (6 h). */
  timeoutMinutes?: number;
  /** Seconds between two looks. Default 60. */
  pollSeconds?: number;
}

/** What a check sees: the run reports of earlier tasks, by task id, and the run's values. */
export interface CheckContext {
  reports: Record<string, unknown>;
  runDate: string;
  mode: 'full' | 'daily';
  /** The run was started with forcePublish: true (`emrflow run --force-publish`). */
  forcePublish: boolean;
  settings: { maxRejectedShare: number; maxMonthShrink: number; outputUri: string };
}

/** A gate over the run reports of earlier tasks. A non-empty result fails the run with DataQualityFailed. */
export interface CheckTask extends TaskBase {
  kind: 'check';
  /** One line shown in `emrflow pipelines show`. */
  description: string;
  /** Pure: returns what is wrong, one sentence each; empty when the run may go on. */
  check: (ctx: CheckContext) => string[];
}

/** Publishes what the reporting spark task staged (activity publishStaged; write-audit-publish). */
export interface PublishTask extends TaskBase {
  kind: 'publish';
}

/** Registers the published tables in the catalog (activity registerCatalog; nothing on provider = local). */
export interface CatalogTask extends TaskBase {
  kind: 'catalog';
  tables: string[];
}

export type PipelineTask = SparkTask | WaitForInputTask | CheckTask | PublishTask | CatalogTask;
export type TaskKind = PipelineTask['kind'];

export interface PipelineSchedule {
  /** Wall-clock time of the daily run, HH:MM. Default: [schedule] daily_time. */
  dailyTime?: string;
  /** IANA time zone of dailyTime. Default: [schedule] time_zone. */
  timeZone?: string;
  /** How late a missed run may still start. Default: [schedule] catchup_window_hours. */
  catchupWindowHours?: number;
  /**
   * A run that falls due while another runs (a slow day, or a backfill): 'buffer-all' (default)
   * starts every such run after it, in order, so no day is lost; 'buffer-one' keeps only the
   * latest; 'skip' drops it.
   */
  overlap?: 'buffer-all' | 'buffer-one' | 'skip';
}

export interface PipelineCluster {
  /**
   * How many steps the run's cluster runs at once (EMR StepConcurrencyLevel, 1–256). Default:
   * the widest set of spark tasks that can run at the same time in the DAG.
   */
  stepConcurrency?: number;
}

export interface PipelineDefinition {
  /** kebab-case, unique; the workflow ids of its runs are `<name>-<runDate>`. */
  name: string;
  description: string;
  /** Run daily on a Temporal Schedule. Default: no schedule of its own. */
  schedule?: PipelineSchedule;
  /**
   * Pipelines this one runs after: when a run of one of them succeeds for a run date, a run of
   * this pipeline starts for the same date and mode (a backfill of theirs starts ours too).
   */
  after?: string[];
  /** The pipeline's own values for `{name}` placeholders. Default: none. */
  params?: Record<string, string>;
  cluster?: PipelineCluster;
  /**
   * Budget per run, in USD of estimated cost (see README, "What a run costs"): a run whose cost
   * so far passes it stops its step, terminates its cluster and fails BudgetExceeded. Default:
   * [cost] max_run_usd; unset there too, no budget.
   */
  maxRunUsd?: number;
  tasks: PipelineTask[];
}

/** Marks a value as a pipeline (the loader ignores other default exports). */
export const PIPELINE_BRAND = Symbol.for('emrflow.pipeline');
export type Pipeline = Readonly<PipelineDefinition> & { readonly [PIPELINE_BRAND]: true };

/** Declares a pipeline. Typed; validated when the worker or `emrflow pipelines validate` loads it. */
export function definePipeline(definition: PipelineDefinition): Pipeline {
  return Object.freeze({ ...definition, [PIPELINE_BRAND]: true as const });
}

export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PIPELINE_BRAND] === true;
}
