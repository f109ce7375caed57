// The emr-serverless provider: a run's Spark tasks are job runs on one shared application. The
// run's "cluster" is a handle (run-handle.ts): creating it resolves and starts the application;
// terminating it cancels the run's live job runs and leaves the application to stop itself
// (auto-stop) — other runs may be using it.
import {
  CancelJobRunCommand, GetDashboardForJobRunCommand, GetJobRunCommand, ListJobRunsCommand, StartJobRunCommand,
  type EMRServerlessClient, type JobRun, type JobRunState, type JobRunSummary,
} from '@aws-sdk/client-emr-serverless';
import { Context } from '@temporalio/activity';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { deploymentId, type EmrflowConfig } from '../../../infra/config';
import type {
  ClusterRef, ClusterSummary, RunIdentity, StagedJob, StepLogs, StepRef, StepRequest, TerminateResult,
} from '../../../workflows/shared';
import type { ResourceUsage } from '../../cost/usage';
import { callTimeout } from '../../aws-clients';
import { joinKey, parseS3Uri } from '../../s3-uri';
import { isThrottling, sentOnce } from '../emr/emr-provider';
import { isMissingOrHidden, stageScript } from '../stage-script';
import {
  clusterTags, summarise, tailLines, TAG,
  type ClusterProvider, type ClusterStatus, type StepLinks, type StepStatus,
} from '../cluster-provider';
import { getApplication, isResourceNotFound, listManagedApplications, resolveApplication } from './application';
import { isEnded, LIVE_JOB_RUN_STATES, stepStateOf, usageOf } from './job-run-state';
import { formatHandle, listFrom, parseHandle, type RunHandle } from './run-handle';

export interface EmrServerlessProviderOptions {
  client: EMRServerlessClient;
  s3: S3Client;
  config: Pick<EmrflowConfig, 'emr_serverless' | 'emr' | 's3' | 'temporal'>;
  /** How long to wait for a failed job run's driver log, and how often to look. Default 5 min / 10 s. */
  logWaitMs?: number;
  logRetryMs?: number;
  /** How long terminate and cancel wait for cancelled job runs to end, and how often they look. Default 90 s / 2 s. */
  cancelWaitMs?: number;
  cancelPollMs?: number;
  /** How long createCluster waits for a stopped application to start (job runs queue meanwhile). Default 90 s. */
  startWaitMs?: number;
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

/** Heartbeats when called inside an activity (createCluster, terminate), a no-op outside one (CLI). */
function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity
  }
}

export class EmrServerlessProvider implements ClusterProvider {
  readonly kind = 'emr-serverless' as const;
  readonly pollSeconds: number;
  readonly deployment: string;

  constructor(private readonly options: EmrServerlessProviderOptions) {
    this.pollSeconds = options.config.emr_serverless.job_poll_seconds;
    this.deployment = deploymentId(options.config.temporal);
  }

  private get client() { return this.options.client; }
  private get cfg() { return this.options.config; }
  /** Where job runs write their logs: [emr_serverless] log_uri, else [s3] log_uri. */
  get logUri(): string { return (this.cfg.emr_serverless.log_uri ?? this.cfg.s3.log_uri)!; }

  stageJob(scriptPath: string): Promise<StagedJob> {
    return stageScript(this.options.s3, this.cfg.s3.code_uri!, scriptPath);
  }

  async createCluster(run: RunIdentity): Promise<ClusterRef> {
    const app = await resolveApplication(this.client, {
      settings: this.cfg.emr_serverless,
      deployment: this.deployment,
      extraTags: this.cfg.emr.extra_tags,
      maxStartWaitMs: this.options.startWaitMs,
      onWait: (state, waitedSeconds) => heartbeat({ application: state, waitedSeconds }),
    });
    const now = new Date();
    const handle = formatHandle({ applicationId: app.applicationId!, runId: run.runId, createdAtSeconds: Math.floor(now.getTime() / 1000) });
    return { clusterId: handle, name: `${app.name ?? app.applicationId} (application ${app.applicationId})`, adopted: true, createdAt: now.toISOString() };
  }

  async addStep(request: StepRequest): Promise<StepRef> {
    const h = parseHandle(request.clusterId);
    if (!request.run) throw new Error('emr-serverless needs the run identity with each step (StepRequest.run)');
    const existing = await this.findJobRun(h, request.stepName);
    if (existing) return { clusterId: request.clusterId, stepId: existing, reused: true };
    const s = this.cfg.emr_serverless;
    const params = s.spark_submit_parameters;
    const res = await this.client.send(sentOnce(new StartJobRunCommand({
      applicationId: h.applicationId,
      // Real EMR Serverless returns the first job run for a repeated token; the look-up above
      // covers services (and emulators) that do not.
      clientToken: clientToken(this.deployment, request.run, request.stepName),
      name: request.stepName,
      executionRoleArn: s.execution_role_arn!,
      jobDriver: { sparkSubmit: { entryPoint: request.scriptUri, entryPointArguments: request.args, ...(params && { sparkSubmitParameters: params }) } },
      configurationOverrides: { monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `${this.logUri}/` } } },
      tags: clusterTags(request.run, this.deployment, this.cfg.emr.extra_tags),
    })), callTimeout());
    return { clusterId: request.clusterId, stepId: res.jobRunId!, reused: false };
  }

  /** The job run of this run named `name` that an earlier attempt started, if any. */
  private async findJobRun(h: RunHandle, name: string): Promise<string | undefined> {
    for (const summary of await this.listJobRuns(h.applicationId, undefined, listFrom(h))) {
      if (summary.name !== name) continue;
      const tags = (await this.getJobRun(h.applicationId, summary.id!)).tags ?? {};
      if (tags[TAG.runId] === h.runId && tags[TAG.deployment] === this.deployment) return summary.id;
    }
    return undefined;
  }

  async describeStep(clusterId: string, stepId: string): Promise<StepStatus> {
    const { applicationId } = parseHandle(clusterId);
    const j = await this.getJobRun(applicationId, stepId);
    return {
      stepId,
      name: j.name ?? '',
      state: stepStateOf(j.state),
      detail: j.state,
      reason: j.stateDetails || undefined,
      startedAt: iso(j.startedAt),
      endedAt: iso(j.endedAt),
    };
  }

  async describeCluster(clusterId: string): Promise<ClusterStatus> {
    const { applicationId } = parseHandle(clusterId);
    const app = await getApplication(this.client, applicationId);
    if (!app) return { clusterId, state: 'TERMINATED', ended: true, reason: `application ${applicationId} no longer exists` };
    const state = app.state ?? 'UNKNOWN';
    // STOPPED is not the end: auto-start starts it again for the next job run.
    return { clusterId, state, ended: state === 'TERMINATED', reason: app.stateDetails || (state === 'TERMINATED' ? `application ${applicationId} was terminated` : undefined) };
  }

  async cancelStep(clusterId: string, stepId: string): Promise<void> {
    const { applicationId } = parseHandle(clusterId);
    await this.cancelJobRun(applicationId, stepId);
    await this.awaitEnded(applicationId, [stepId]);
  }

  /** Cancels the run's live job runs and waits until they have ended. Never stops the application. */
  async terminateCluster(clusterId: string): Promise<TerminateResult> {
    const h = parseHandle(clusterId);
    if (!(await getApplication(this.client, h.applicationId))) return { clusterId, action: 'already-gone' };
    const live = await this.runJobRuns(h, LIVE_JOB_RUN_STATES);
    for (const j of live) if (j.state !== 'CANCELLING') await this.cancelJobRun(h.applicationId, j.jobRunId!);
    await this.awaitEnded(h.applicationId, live.map((j) => j.jobRunId!));
    return { clusterId, action: live.length > 0 ? 'terminated' : 'already-gone', terminatedAt: new Date().toISOString() };
  }

  /** The run's job runs (in `states`, or all), read in full (tags, utilization). */
  private async runJobRuns(h: RunHandle, states?: JobRunState[]): Promise<JobRun[]> {
    const out: JobRun[] = [];
    for (const summary of await this.listJobRuns(h.applicationId, states, listFrom(h))) {
      const j = await this.getJobRun(h.applicationId, summary.id!);
      if (j.tags?.[TAG.runId] === h.runId && j.tags[TAG.deployment] === this.deployment) out.push(j);
    }
    return out;
  }

  async usage(clusterId: string): Promise<ResourceUsage> {
    return usageOf(await this.runJobRuns(parseHandle(clusterId)));
  }

  async stepLinks(clusterId: string, stepId: string): Promise<StepLinks> {
    const { applicationId } = parseHandle(clusterId);
    const logLocation = `${this.logUri}/applications/${applicationId}/jobs/${stepId}/`;
    try {
      const res = await this.client.send(new GetDashboardForJobRunCommand({ applicationId, jobRunId: stepId }), callTimeout());
      return { dashboardUrl: res.url, logLocation };
    } catch (e) {
      if (isThrottling(e)) throw e;
      // The logs are still worth showing when the dashboard is refused or not offered.
      return { logLocation };
    }
  }

  async listClusters(options: { all?: boolean }): Promise<ClusterSummary[]> {
    const states = options.all ? undefined : LIVE_JOB_RUN_STATES;
    const byRun = new Map<string, { runs: JobRun[]; applicationId: string }>();
    const out: ClusterSummary[] = [];
    for (const applicationId of await this.applicationsToList()) {
      for (const summary of await this.listJobRuns(applicationId, states)) {
        let j: JobRun;
        try {
          j = await this.getJobRun(applicationId, summary.id!);
        } catch (e) {
          if (isThrottling(e)) throw e;
          out.push(summarise({
            clusterId: `${applicationId}/?/${Math.floor((summary.createdAt?.getTime() ?? 0) / 1000)}`, name: `job run ${summary.id}`,
            state: summary.state ?? 'UNKNOWN', createdAt: iso(summary.createdAt) ?? new Date(0).toISOString(),
            terminationProtected: false, tags: {}, unreadable: `${(e as Error).name}: ${(e as Error).message}`,
          }, this.deployment));
          continue;
        }
        const runId = j.tags?.[TAG.runId];
        if (j.tags?.[TAG.managed] !== 'true' || !runId) continue;
        const key = `${applicationId}/${runId}`;
        const entry = byRun.get(key) ?? { runs: [], applicationId };
        entry.runs.push(j);
        byRun.set(key, entry);
      }
    }
    // One row per run: the sweeper "terminates" it by cancelling its live job runs.
    for (const { runs, applicationId } of byRun.values()) {
      const first = runs.reduce((a, b) => ((a.createdAt?.getTime() ?? 0) <= (b.createdAt?.getTime() ?? 0) ? a : b));
      const created = first.createdAt ?? new Date(0);
      out.push(summarise({
        clusterId: formatHandle({ applicationId, runId: first.tags![TAG.runId]!, createdAtSeconds: Math.floor(created.getTime() / 1000) }),
        name: `job runs ${runs.map((j) => `${j.jobRunId} (${j.name ?? ''})`).join(', ')}`,
        state: [...new Set(runs.map((j) => j.state))].join(','),
        createdAt: created.toISOString(),
        terminationProtected: false,
        tags: first.tags ?? {},
      }, this.deployment));
    }
    return out;
  }

  /** The configured application, or every application tagged emrflow:managed. */
  private async applicationsToList(): Promise<string[]> {
    const configured = this.cfg.emr_serverless.application_id;
    if (configured) return (await getApplication(this.client, configured)) ? [configured] : [];
    const ids: string[] = [];
    for (const summary of await listManagedApplications(this.client)) {
      const app = await getApplication(this.client, summary.id!);
      if (app?.tags?.[TAG.managed] === 'true') ids.push(summary.id!);
    }
    return ids;
  }

  /** The driver's stderr: <log uri>/applications/<app>/jobs/<job run>/SPARK_DRIVER/stderr.gz (waiting, bounded, for it to arrive). */
  async stepLogs(clusterId: string, stepId: string, wait: { onWait?: () => void; maxWaitMs?: number } = {}): Promise<StepLogs> {
    const { applicationId } = parseHandle(clusterId);
    const { bucket, key: prefix } = parseS3Uri(this.logUri);
    const key = joinKey(prefix, 'applications', applicationId, 'jobs', stepId, 'SPARK_DRIVER', 'stderr.gz');
    const deadline = Date.now() + (wait.maxWaitMs ?? this.options.logWaitMs ?? 300_000);
    const retryMs = this.options.logRetryMs ?? 10_000;
    let looks = 0;
    for (;;) {
      looks += 1;
      try {
        const res = await this.options.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), callTimeout());
        const text = gunzipSync(await res.Body!.transformToByteArray()).toString('utf8');
        return { found: true, source: `s3://${bucket}/${key}`, stderrTail: `[from the driver's stderr: s3://${bucket}/${key}]\n${tailLines(text)}` };
      } catch (e) {
        if (!isMissingOrHidden(e)) throw e;
      }
      if (Date.now() + retryMs > deadline) break;
      wait.onWait?.();
      await new Promise((r) => setTimeout(r, retryMs));
    }
    return { found: false, stderrTail: `no driver log arrived at s3://${bucket}/${key} after ${looks} looks (look there later)` };
  }

  private async getJobRun(applicationId: string, jobRunId: string): Promise<JobRun> {
    return (await this.client.send(new GetJobRunCommand({ applicationId, jobRunId }), callTimeout())).jobRun!;
  }

  private async cancelJobRun(applicationId: string, jobRunId: string): Promise<void> {
    try {
      await this.client.send(new CancelJobRunCommand({ applicationId, jobRunId }), callTimeout());
    } catch (e) {
      // Already ended (or gone): nothing left to cancel.
      if (isResourceNotFound(e)) return;
      if ((e as Error).name === 'ValidationException' && isEnded((await this.getJobRun(applicationId, jobRunId).catch(() => undefined))?.state)) return;
      throw e;
    }
  }

  /** Waits (bounded, heartbeating) until every job run in `ids` has ended. */
  private async awaitEnded(applicationId: string, ids: string[]): Promise<void> {
    const started = Date.now();
    const deadline = started + (this.options.cancelWaitMs ?? 90_000);
    let left = ids;
    while (left.length > 0) {
      const states = await Promise.all(left.map(async (id) => [id, (await this.getJobRun(applicationId, id)).state] as const));
      left = states.filter(([, s]) => !isEnded(s)).map(([id]) => id);
      if (left.length === 0) return;
      if (Date.now() > deadline) throw new Error(`job run(s) ${left.join(', ')} on application ${applicationId} were asked to cancel but have not ended after ${Math.round((Date.now() - started) / 1000)} s`);
      heartbeat({ applicationId, cancelling: left, waitedSeconds: Math.round((Date.now() - started) / 1000) });
      await new Promise((r) => setTimeout(r, this.options.cancelPollMs ?? 2_000));
    }
  }

  private async listJobRuns(applicationId: string, states?: JobRunState[], createdAtAfter?: Date): Promise<JobRunSummary[]> {
    const out: JobRunSummary[] = [];
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListJobRunsCommand({ applicationId, states, createdAtAfter, nextToken }), callTimeout());
      } catch (e) {
        if (isResourceNotFound(e)) return out; // no such application (any more): no job runs
        throw e;
      }
      out.push(...(page.jobRuns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}

/** ≤ 64 characters, the same for every attempt of the same task of the same run. */
function clientToken(deployment: string, run: RunIdentity, stepName: string): string {
  return createHash('sha256').update([deployment, run.workflowId, run.runId, stepName].join('\n')).digest('hex');
}
