// Every side effect emrflow performs, built once per worker from the validated config.
// Workflows import only the type of this object (see workflows/activities-proxy.ts).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { S3Client } from '@aws-sdk/client-s3';
import { deploymentId, type EmrflowConfig } from '../infra/config';
import { localSparkArgs } from '../infra/local-spark';
import { etlScript, sparkSubmit, venvBin } from '../infra/paths';
import { loadPipelines, sparkJobsDir, type PipelineRegistry } from '../infra/pipelines/registry';
import { fillPlaceholders, runValues } from '../pipelines/placeholders';
import { createPipelineActivities } from './pipelines';
import { join } from 'node:path';
import type { EmrflowActivities, RunIdentity, StepSubmission } from '../workflows/shared';
import { ec2Client, emrClient, emrServerlessClient, iamClient, s3Client, stsClient } from './aws-clients';
import { createCatalogActivities } from './catalog';
import { createNotifyActivities } from './notify';
import { preflight, type AwsClients } from './preflight';
import type { RunInput } from './preflight/input-check';
import { createPublishActivities } from './publish';
import { EmrProvider } from './providers/emr/emr-provider';
import { EmrServerlessProvider } from './providers/emr-serverless/emr-serverless-provider';
import type { ClusterProvider } from './providers/cluster-provider';
import { stepName } from './providers/cluster-provider';
import { LocalProvider, sparkEnvironment, sparkSubmitCommand } from './providers/local/local-provider';
import { readRunReport } from './run-report';
import { budgetFor } from './cost/budget';
import { pricesFromConfig } from './cost/prices';
import { runCost } from './cost/run-cost-activity';
import { waitForStep } from './wait-for-step';
import { runPlace } from '../infra/run-metadata';

export interface ActivityOptions {
  /** Use this provider instead of the one [cluster] provider names (tests). */
  provider?: ClusterProvider;
  /** Stage this script instead of the one a task names (tests swap the ETL for a fixture). */
  jobScript?: string;
  /** Temporal client for ownerStatuses when the activity context has none (calls outside a worker). */
  client?: Client;
  /** The pipelines (the worker loads and validates them at start); default: loaded from pipelines/ on first use. */
  pipelines?: PipelineRegistry;
  /** Start the pipelines that run after a successful run (`after`). Default false; the worker turns it on. */
  startDependants?: boolean;
}

export function createProvider(config: EmrflowConfig): ClusterProvider {
  switch (config.cluster.provider) {
    case 'local':
      return new LocalProvider({
        stateDir: config.local.state_dir,
        pollSeconds: config.local.step_poll_seconds,
        extraTags: config.emr.extra_tags,
        deployment: deploymentId(config.temporal),
        submitCommand: sparkSubmitCommand(sparkSubmit, config.local.spark_master, config.local.driver_memory, localSparkArgs()),
        env: sparkEnvironment(venvBin('python')),
      });
    case 'emr':
      return new EmrProvider({ emr: emrClient(config.aws), s3: s3Client(config.aws), config });
    case 'emr-serverless':
      return new EmrServerlessProvider({ client: emrServerlessClient(config.aws), s3: s3Client(config.aws), config });
  }
}

/** The job's command line: what to read, where to write, and which report to write. */
export function jobArgs(config: EmrflowConfig, s: Pick<StepSubmission, 'mode' | 'runDate' | 'reportId' | 'task'>): string[] {
  if (s.task) {
    const values = { ...s.task.params, ...runValues({ runDate: s.runDate, mode: s.mode, runId: s.reportId, input: config.datalake.input_data, output: config.datalake.output_data }) };
    return s.task.args.map((a) => fillPlaceholders(a, values));
  }
  const args = ['--input', config.datalake.input_data, '--output', config.datalake.output_data, '--mode', s.mode];
  if (s.mode === 'daily') args.push('--run-date', s.runDate);
  args.push('--run-id', s.reportId);
  return args;
}

/** `<pipeline>:<workflowId>:<task>`, and `#<attempt>` from the second attempt on: one step per attempt, never two. */
export function taskStepName(s: Pick<StepSubmission, 'run' | 'task'>): string {
  const base = stepName(s.run.pipeline, s.run.workflowId);
  if (!s.task) return base;
  return `${base}:${s.task.id}${s.task.attempt > 1 ? `#${s.task.attempt}` : ''}`;
}

export function createActivities(config: EmrflowConfig, options: ActivityOptions = {}) {
  const provider = options.provider ?? createProvider(config);
  const prices = pricesFromConfig(config.cost);
  let s3: S3Client | undefined;
  const getS3 = () => (s3 ??= s3Client(config.aws));
  // Built once per worker, not per run: each new SDK client resolves credentials again (and
  // reads ~/.aws/config for a profile).
  let preflightClients: AwsClients | undefined;
  const getPreflightClients = () =>
    (preflightClients ??= {
      s3: getS3(), emr: emrClient(config.aws), iam: iamClient(config.aws), sts: stsClient(config.aws), ec2: ec2Client(config.aws),
      emrServerless: emrServerlessClient(config.aws),
    });
  // The worker composes the Temporal client; activities only use the one they are given.
  const temporalClient = async (): Promise<Client> => {
    if (options.client) return options.client;
    try {
      return Context.current().client;
    } catch {
      throw new Error('ownerStatuses needs a Temporal client: run it in a worker, or pass options.client');
    }
  };
  let registry: Promise<PipelineRegistry> | undefined;
  const pipelines = () => (registry ??= options.pipelines ? Promise.resolve(options.pipelines) : loadPipelines());

  return {
    ...createPipelineActivities({ config, pipelines, s3: getS3, startDependants: options.startDependants ?? false }),
    ...createCatalogActivities(config, { s3: getS3 }),
    ...createPublishActivities({ s3: getS3, temporalClient }),
    ...createNotifyActivities(config),
    preflight: (run?: RunInput) => preflight(config, { sparkSubmit, awsClients: getPreflightClients }, run),
    async pipelineSettings() {
      return {
        provider: config.cluster.provider,
        outputUri: config.datalake.output_data,
        inputUri: config.datalake.input_data,
        maxRejectedShare: config.quality.max_rejected_share,
        stagingKeepHours: config.quality.staging_keep_hours,
        // Which outcomes to send, not where: the webhook URL never leaves the worker.
        ...(config.notify.webhook_url && { notifyOn: config.notify.on }),
        cluster: runPlace(config).cluster,
        ...(config.cluster.provider === 'emr' && { region: config.aws.region, ...(config.s3.log_uri && { logUri: config.s3.log_uri }) }),
        ...(config.cluster.provider === 'emr-serverless' && {
          region: config.aws.region, ...((config.emr_serverless.log_uri ?? config.s3.log_uri) && { logUri: config.emr_serverless.log_uri ?? config.s3.log_uri }),
        }),
        ...(config.cluster.provider === 'local' && { stateDir: config.local.state_dir }),
      };
    },
    stageJob: (script?: string) => provider.stageJob(options.jobScript ?? (script ? join(sparkJobsDir, script) : etlScript)),
    createCluster: (run: RunIdentity, opts?: { stepConcurrency?: number }) => provider.createCluster(run, opts),
    addStep: (s) => provider.addStep({
      clusterId: s.clusterId,
      stepName: taskStepName(s),
      lastStep: s.lastStep,
      run: s.run,
      scriptUri: s.job.scriptUri,
      args: jobArgs(config, s),
    }),
    waitForStep: ({ maxRunUsd, ...step }) => {
      const budget = budgetFor(maxRunUsd, config.cost.max_run_usd);
      return waitForStep(provider, step, budget && { budget, prices });
    },
    runCost: (clusterId) => runCost(provider, prices, clusterId),
    // An apiCall activity (2-minute start-to-close): wait for late logs at most 90 s here.
    fetchStepLogs: (step) => provider.stepLogs(step.clusterId, step.stepId, { maxWaitMs: 90_000 }),
    readRunReport: (reportId) => readRunReport(config.datalake.output_data, reportId, getS3),
    terminateCluster: (clusterId) => provider.terminateCluster(clusterId),
    listClusters: (opts) => provider.listClusters(opts ?? {}),
    async ownerStatuses(workflowIds) {
      const client = await temporalClient();
      const out: Record<string, string> = {};
      for (const id of workflowIds) {
        try {
          out[id] = (await client.workflow.getHandle(id).describe()).status.name;
        } catch (e) {
          if ((e as Error).name === 'WorkflowNotFoundError') out[id] = 'UNKNOWN';
          else throw e;
        }
      }
      return out;
    },
  } satisfies EmrflowActivities;
}

export type Activities = ReturnType<typeof createActivities>;
