// The EMR provider: one cluster per run (RunJobFlow, adopting the run's live cluster on retry),
// the job as a command-runner step, logs from the cluster's S3 log URI.
import {
  AddJobFlowStepsCommand, CancelStepsCommand, DescribeClusterCommand, DescribeStepCommand, ListClustersCommand,
  ListStepsCommand, RunJobFlowCommand, SetKeepJobFlowAliveWhenNoStepsCommand, TerminateJobFlowsCommand,
  type Cluster, type ClusterState, type EMRClient, type StepSummary,
} from '@aws-sdk/client-emr';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { deploymentId, type EmrflowConfig } from '../../../infra/config';
import type {
  ClusterRef, ClusterSummary, RunIdentity, StagedJob, StepLogs, StepRef, StepRequest, StepState, TerminateResult,
} from '../../../workflows/shared';
import { callTimeout } from '../../aws-clients';
import { joinKey, parseS3Uri } from '../../s3-uri';
import type { ResourceUsage } from '../../cost/usage';
import { emrUsage } from './emr-usage';
import { instancesSpec } from './instances-spec';
import { stageScript } from '../stage-script';
import {
  clusterName, clusterTags, summarise, tailLines, TAG,
  type ClusterProvider, type ClusterStatus, type StepStatus,
} from '../cluster-provider';

export const ACTIVE_STATES: ClusterState[] = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];
const ENDED_STATES = new Set(['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS']);

export interface EmrProviderOptions {
  emr: EMRClient;
  s3: S3Client;
  /** temporal: names this deployment (infra/config/deployment.ts), tagged on every cluster. */
  config: Pick<EmrflowConfig, 'emr' | 's3' | 'temporal'>;
  /**
   * How long to wait for a failed step's logs (EMR pushes them to S3 about every five minutes,
   * so they can arrive minutes after the step ended), and how often to look. Default 10 min / 20 s.
   */
  logWaitMs?: number;
  logRetryMs?: number;
}

const isNotFound = (e: unknown): boolean => {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
};

/**
 * S3 answers 403 instead of 404 for a missing key to a caller without s3:ListBucket on the
 * bucket, and the recommended policy grants ListBucket only with an s3:prefix (which that check
 * does not carry): for a read of a key under our own prefixes, 403 means "not there (yet)".
 */
const isMissingOrHidden = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return isNotFound(e) || err.name === 'Forbidden' || err.name === 'AccessDenied' || err.$metadata?.httpStatusCode === 403;
};

/** The YARN application master's container: attempt NN, container 000001 (the driver in cluster mode). */
const AM_STDERR = /\/containers\/(application_\d+_\d+)\/container_(?:e\d+_)?\d+_\d+_(\d+)_000001\/stderr\.gz$/;

export interface LogWait {
  /** Called between looks, so a caller's heartbeat keeps going while logs are awaited. */
  onWait?: () => void;
  /** Wait at most this long (default: the provider's logWaitMs). */
  maxWaitMs?: number;
}

const isUnknownCluster = (e: unknown): boolean => {
  const err = e as { name?: string; message?: string };
  return err.name === 'InvalidRequestException' && /cluster|job flow/i.test(err.message ?? '');
};

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

export class EmrProvider implements ClusterProvider {
  readonly kind = 'emr' as const;
  readonly pollSeconds: number;
  readonly deployment: string;

  constructor(private readonly options: EmrProviderOptions) {
    this.pollSeconds = options.config.emr.step_poll_seconds;
    this.deployment = deploymentId(options.config.temporal);
  }

  private get emr() { return this.options.emr; }
  private get s3() { return this.options.s3; }
  private get cfg() { return this.options.config; }

  stageJob(scriptPath: string): Promise<StagedJob> {
    return stageScript(this.s3, this.cfg.s3.code_uri!, scriptPath);
  }

  async createCluster(run: RunIdentity, options: { stepConcurrency?: number } = {}): Promise<ClusterRef> {
    const name = clusterName(run.workflowId);
    const existing = await this.findRunCluster(run, name);
    if (existing)
      return { clusterId: existing.Id!, name, adopted: true, createdAt: iso(existing.Status?.Timeline?.CreationDateTime) ?? new Date().toISOString() };
    const e = this.cfg.emr;
    const tags = clusterTags(run, this.deployment, e.extra_tags);
    const res = await this.emr.send(sentOnce(new RunJobFlowCommand({
      Name: name,
      ReleaseLabel: e.release_label,
      Applications: [{ Name: 'Spark' }],
      LogUri: this.cfg.s3.log_uri,
      ServiceRole: e.service_role,
      JobFlowRole: e.instance_profile,
      VisibleToAllUsers: true,
      Instances: instancesSpec(e),
      AutoTerminationPolicy: { IdleTimeout: e.idle_timeout_minutes * 60 },
      // Independent tasks of a pipeline run as concurrent steps on this one cluster.
      ...(options.stepConcurrency && options.stepConcurrency > 1 && { StepConcurrencyLevel: options.stepConcurrency }),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    })), callTimeout());
    return { clusterId: res.JobFlowId!, name, adopted: false, createdAt: new Date().toISOString() };
  }

  /** A live cluster carrying this workflow run's tags, if a previous attempt created one. */
  private async findRunCluster(run: RunIdentity, name: string): Promise<Cluster | undefined> {
    for await (const summary of this.clusterSummaries(ACTIVE_STATES)) {
      if (summary.Name !== name) continue;
      const cluster = await this.describe(summary.Id!);
      const tags = tagMap(cluster);
      if (tags[TAG.workflowId] === run.workflowId && tags[TAG.runId] === run.runId && tags[TAG.deployment] === this.deployment)
        return cluster;
    }
    return undefined;
  }

  async addStep(request: StepRequest): Promise<StepRef> {
    const { clusterId, stepName } = request;
    const existing = await this.findStep(clusterId, stepName);
    const stepId = existing?.Id ?? await this.submitStep(request);
    // Now that the cluster has its step, it ends itself the moment the step ends: the time until
    // waitForStep's next poll and terminateCluster is never billed (npm run bench:cost). Also
    // on reuse, in case an earlier attempt stopped between the two calls. Not before the run's
    // last step: a pipeline adds its next steps when earlier ones end.
    if (request.lastStep !== false) await this.emr.send(new SetKeepJobFlowAliveWhenNoStepsCommand({ JobFlowIds: [clusterId], KeepJobFlowAliveWhenNoSteps: false }), callTimeout());
    return { clusterId, stepId, reused: existing !== undefined };
  }

  private async submitStep(request: StepRequest): Promise<string> {
    const { clusterId, stepName } = request;
    const res = await this.emr.send(sentOnce(new AddJobFlowStepsCommand({
      JobFlowId: clusterId,
      Steps: [{
        Name: stepName,
        ActionOnFailure: 'CONTINUE',
        HadoopJarStep: {
          Jar: 'command-runner.jar',
          Args: ['spark-submit', '--deploy-mode', 'cluster', request.scriptUri, ...request.args],
        },
      }],
    })), callTimeout());
    return res.StepIds![0]!;
  }

  private async findStep(clusterId: string, name: string): Promise<StepSummary | undefined> {
    let marker: string | undefined;
    do {
      const page = await this.emr.send(new ListStepsCommand({ ClusterId: clusterId, Marker: marker }), callTimeout());
      const found = page.Steps?.find((s) => s.Name === name);
      if (found) return found;
      marker = page.Marker;
    } while (marker);
    return undefined;
  }

  async describeStep(clusterId: string, stepId: string): Promise<StepStatus> {
    const { Step: step } = await this.emr.send(new DescribeStepCommand({ ClusterId: clusterId, StepId: stepId }), callTimeout());
    const status = step?.Status;
    const failure = status?.FailureDetails;
    const reason = [failure?.Reason, failure?.Message].filter(Boolean).join(': ')
      || status?.StateChangeReason?.Message
      || undefined;
    return {
      stepId,
      name: step?.Name ?? '',
      state: (status?.State ?? 'PENDING') as StepState,
      reason,
      startedAt: iso(status?.Timeline?.StartDateTime),
      endedAt: iso(status?.Timeline?.EndDateTime),
    };
  }

  async describeCluster(clusterId: string): Promise<ClusterStatus> {
    let cluster: Cluster;
    try {
      cluster = await this.describe(clusterId);
    } catch (e) {
      if (isUnknownCluster(e)) return { clusterId, state: 'TERMINATED', ended: true, reason: 'the cluster no longer exists' };
      throw e;
    }
    const state = cluster.Status?.State ?? 'UNKNOWN';
    const why = cluster.Status?.StateChangeReason;
    return {
      clusterId,
      state,
      ended: ENDED_STATES.has(state),
      reason: why?.Message || why?.Code || (ENDED_STATES.has(state) ? state : undefined),
    };
  }

  async cancelStep(clusterId: string, stepId: string): Promise<void> {
    const res = await this.emr.send(new CancelStepsCommand({ ClusterId: clusterId, StepIds: [stepId] }), callTimeout());
    const info = res.CancelStepsInfoList?.find((i) => i.StepId === stepId);
    if (info?.Status === 'FAILED') throw new Error(`EMR did not cancel step ${stepId}: ${info.Reason ?? 'no reason given'}`);
  }

  async terminateCluster(clusterId: string): Promise<TerminateResult> {
    let cluster: Cluster;
    try {
      cluster = await this.describe(clusterId);
    } catch (e) {
      if (isUnknownCluster(e)) return { clusterId, action: 'already-gone' };
      throw e;
    }
    const state = cluster.Status?.State ?? '';
    if (state === 'TERMINATED' || state === 'TERMINATED_WITH_ERRORS')
      return { clusterId, action: 'already-gone', terminatedAt: iso(cluster.Status?.Timeline?.EndDateTime) };
    if (cluster.TerminationProtected) return { clusterId, action: 'protected' };
    try {
      await this.emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] }), callTimeout());
    } catch (e) {
      if (/termination protected/i.test((e as Error).message)) return { clusterId, action: 'protected' };
      throw e;
    }
    return { clusterId, action: 'terminated', terminatedAt: new Date().toISOString() };
  }

  usage(clusterId: string): Promise<ResourceUsage> {
    return emrUsage(this.emr, clusterId);
  }

  async listClusters(options: { all?: boolean }): Promise<ClusterSummary[]> {
    const out: ClusterSummary[] = [];
    for await (const summary of this.clusterSummaries(options.all ? undefined : ACTIVE_STATES)) {
      // Names are cheap to check; tags need DescribeCluster. Only emrflow-* clusters can be ours.
      if (!summary.Name?.startsWith('emrflow-')) continue;
      let cluster: Cluster;
      try {
        cluster = await this.describe(summary.Id!);
      } catch (e) {
        // Someone else's emrflow-* cluster this role may not describe must not break the
        // listing (or the sweep): it is shown as unreadable and left alone.
        if (isThrottling(e)) throw e;
        out.push(summarise({
          clusterId: summary.Id!, name: summary.Name, state: summary.Status?.State ?? 'UNKNOWN',
          createdAt: iso(summary.Status?.Timeline?.CreationDateTime) ?? new Date(0).toISOString(),
          terminationProtected: false, tags: {}, unreadable: `${(e as Error).name}: ${(e as Error).message}`,
        }, this.deployment));
        continue;
      }
      const tags = tagMap(cluster);
      if (tags[TAG.managed] !== 'true') continue;
      out.push(summarise({
        clusterId: cluster.Id!,
        name: cluster.Name ?? '',
        state: cluster.Status?.State ?? 'UNKNOWN',
        createdAt: iso(cluster.Status?.Timeline?.CreationDateTime) ?? new Date(0).toISOString(),
        terminationProtected: cluster.TerminationProtected ?? false,
        tags,
      }, this.deployment));
    }
    return out;
  }

  /**
   * The tail of the driver's error. With --deploy-mode cluster the Python traceback is in the YARN
   * application master's container log; the step's own stderr.gz holds spark-submit's client
   * output. So: the AM container's stderr when it exists, else the step's stderr; waiting
   * (bounded) for EMR to push the logs, and saying which log the tail came from.
   */
  async stepLogs(clusterId: string, stepId: string, wait: LogWait = {}): Promise<StepLogs> {
    const { bucket, key: prefix } = parseS3Uri(this.cfg.s3.log_uri!);
    const stepKey = joinKey(prefix, clusterId, 'steps', stepId, 'stderr.gz');
    const deadline = Date.now() + (wait.maxWaitMs ?? this.options.logWaitMs ?? 600_000);
    const retryMs = this.options.logRetryMs ?? 20_000;
    let looks = 0;
    for (;;) {
      looks += 1;
      const container = await this.applicationMasterStderr(bucket, joinKey(prefix, clusterId, 'containers'));
      for (const key of [container, stepKey]) {
        if (!key) continue;
        const text = await this.readGzip(bucket, key);
        if (text !== undefined) {
          const which = key === stepKey ? 'the step\'s stderr (spark-submit)' : 'the driver\'s container stderr';
          return { found: true, source: `s3://${bucket}/${key}`, stderrTail: `[from ${which}: s3://${bucket}/${key}]\n${tailLines(text)}` };
        }
      }
      if (Date.now() + retryMs > deadline) break;
      wait.onWait?.();
      await new Promise((r) => setTimeout(r, retryMs));
    }
    return {
      found: false,
      stderrTail: `no driver log arrived under s3://${bucket}/${joinKey(prefix, clusterId)}/ (containers/…/stderr.gz or steps/${stepId}/stderr.gz) after ${looks} looks (EMR copies logs to S3 every few minutes; look there later)`,
    };
  }

  /** The newest application master attempt's stderr.gz under `containersPrefix`, if any. */
  private async applicationMasterStderr(bucket: string, containersPrefix: string): Promise<string | undefined> {
    let best: { key: string; rank: string } | undefined;
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${containersPrefix}/`, ContinuationToken: token }), callTimeout());
        for (const o of page.Contents ?? []) {
          const m = AM_STDERR.exec(`/${o.Key ?? ''}`);
          if (!m) continue;
          const rank = `${m[1]}:${m[2]}`;
          if (!best || rank > best.rank) best = { key: o.Key!, rank };
        }
        token = page.NextContinuationToken;
      } while (token);
    } catch (e) {
      if (!isMissingOrHidden(e)) throw e;
    }
    return best?.key;
  }

  private async readGzip(bucket: string, key: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), callTimeout());
      return gunzipSync(await res.Body!.transformToByteArray()).toString('utf8');
    } catch (e) {
      if (isMissingOrHidden(e)) return undefined;
      throw e;
    }
  }

  private async describe(clusterId: string): Promise<Cluster> {
    const res = await this.emr.send(new DescribeClusterCommand({ ClusterId: clusterId }), callTimeout());
    return res.Cluster!;
  }

  private async *clusterSummaries(states: ClusterState[] | undefined) {
    let marker: string | undefined;
    do {
      const page = await this.emr.send(new ListClustersCommand({ ClusterStates: states, Marker: marker }), callTimeout());
      yield* page.Clusters ?? [];
      marker = page.Marker;
    } while (marker);
  }
}

/**
 * RunJobFlow and AddJobFlowSteps take no idempotency token, so the SDK must not repeat them on
 * its own: when the answer to one that took effect is lost (a 5xx, a reset connection), a
 * repeat creates a second cluster or step. Only throttling (refused before anything happened)
 * is left to the SDK's retries; any other error reaches the activity, whose next attempt first
 * looks for the cluster or step the lost call may have created.
 */
export function sentOnce<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(command: C): C {
  const stack = command.middlewareStack as unknown as {
    add(mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, o: object): void;
  };
  stack.add((next) => async (args) => {
    try {
      return await next(args);
    } catch (e) {
      throw isThrottling(e) ? e : notRetriedBySdk(e);
    }
  }, { step: 'deserialize', priority: 'high', name: 'emrflowSentOnce' });
  return command;
}

export function isThrottling(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.$metadata?.httpStatusCode === 429 || /Throttl|TooManyRequests|RequestLimitExceeded/.test(err.name ?? '');
}

/** The same message, without what the SDK's retry looks at ($metadata, a transient name or cause). */
function notRetriedBySdk(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const out = new Error(`${err.name}: ${err.message} (not repeated: the call may have taken effect)`);
  out.name = 'EmrCallFailed';
  return out;
}

function tagMap(cluster: Cluster): Record<string, string> {
  return Object.fromEntries((cluster.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
