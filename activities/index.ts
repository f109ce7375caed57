// Every side effect emrflow performs, built once per worker from the validated config.
// Workflows import only the type of this object (see workflows/activities-proxy.ts).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { temporalClient as temporalClientFromConfig } from '../infra/worker/connect';
import type { S3Client } from '@aws-sdk/client-s3';
import { deploymentId, type EmrflowConfig } from '../infra/config';
import { localSparkArgs } from '../infra/local-spark';
import { etlScript, sparkSubmit, venvBin } from '../infra/paths';
import type { EmrflowActivities, StepSubmission } from '../workflows/shared';
import { emrClient, iamClient, s3Client, stsClient } from './aws-clients';
import { createCatalogActivities } from './catalog';
import { preflight, type AwsClients } from './preflight';
import { createPublishActivities } from './publish';
import { EmrProvider } from './providers/emr/emr-provider';
import type { ClusterProvider } from './providers/cluster-provider';
import { stepName } from './providers/cluster-provider';
import { LocalProvider, sparkEnvironment, sparkSubmitCommand } from './providers/local/local-provider';
import { readRunReport } from './run-report';
import { waitForStep } from './wait-for-step';

export interface ActivityOptions {
  /** Use this provider instead of the one [cluster] provider names (tests). */
  provider?: ClusterProvider;
  /** The job script to stage (default spark-jobs/etl.py). */
  jobScript?: string;
  /** Temporal client for ownerStatuses when the activity context has none. */
  client?: Client;
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
  }
}

/** The job's command line: what to read, where to write, and which report to write. */
export function jobArgs(config: EmrflowConfig, s: Pick<StepSubmission, 'mode' | 'runDate' | 'reportId'>): string[] {
  const args = ['--input', config.datalake.input_data, '--output', config.datalake.output_data, '--mode', s.mode];
  if (s.mode === 'daily') args.push('--run-date', s.runDate);
  args.push('--run-id', s.reportId);
  return args;
}

export function createActivities(config: EmrflowConfig, options: ActivityOptions = {}) {
  const provider = options.provider ?? createProvider(config);
  let s3: S3Client | undefined;
  const getS3 = () => (s3 ??= s3Client(config.aws));
  // Built once per worker, not per run: each new SDK client resolves credentials again (and
  // reads ~/.aws/config for a profile).
  let preflightClients: AwsClients | undefined;
  const getPreflightClients = () =>
    (preflightClients ??= { s3: getS3(), emr: emrClient(config.aws), iam: iamClient(config.aws), sts: stsClient(config.aws) });
  let fallbackClient: Promise<Client> | undefined;
  const temporalClient = async (): Promise<Client> => {
    if (options.client) return options.client;
    try {
      return Context.current().client;
    } catch {
      fallbackClient ??= temporalClientFromConfig(config);
      return fallbackClient;
    }
  };

  return {
    ...createCatalogActivities(config, { s3: getS3 }),
    ...createPublishActivities({ s3: getS3, temporalClient }),
    preflight: () => preflight(config, { sparkSubmit, awsClients: getPreflightClients }),
    async pipelineSettings() {
      return {
        provider: config.cluster.provider,
        outputUri: config.datalake.output_data,
        maxRejectedShare: config.quality.max_rejected_share,
      };
    },
    stageJob: () => provider.stageJob(options.jobScript ?? etlScript),
    createCluster: (run) => provider.createCluster(run),
    addStep: (s) => provider.addStep({
      clusterId: s.clusterId,
      stepName: stepName(s.run.pipeline, s.run.workflowId),
      scriptUri: s.job.scriptUri,
      args: jobArgs(config, s),
    }),
    waitForStep: (step) => waitForStep(provider, step),
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
