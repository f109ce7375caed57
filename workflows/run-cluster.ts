// The run's one cluster: created when the first task that needs it is ready, terminated as soon
// as no remaining task needs it, and in any case before the run ends (the caller's finally).
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { CancellationScope, log, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { RunCost } from '../activities/cost/run-cost';
import { api, terminateCluster } from './activities-proxy';
import { EMR_CLUSTER_ID } from './search-attributes';
import type { ClusterRef, PipelineSettings, RunIdentity, TerminateResult } from './shared';

export type StageRunner = <T>(name: string, task: string | undefined, fn: () => Promise<T>) => Promise<T>;

interface Cleanup { terminated?: TerminateResult; error?: unknown }

export class RunCluster {
  ref?: ClusterRef;
  private creating?: Promise<ClusterRef>;
  private cleanup?: Promise<Cleanup>;

  constructor(
    private readonly run: RunIdentity,
    private readonly stepConcurrency: number,
    private readonly stage: StageRunner,
    private readonly onCreated: (cluster: ClusterRef) => void,
    /** The cluster's shape for the timeline ("1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0"); absent in older runs. */
    private readonly shape?: string,
  ) {}

  /** The cluster, created on the first call. Not cancellable: once asked for, its id must reach terminate(). */
  ensure(): Promise<ClusterRef> {
    if (this.cleanup) throw ApplicationFailure.nonRetryable('the run\'s cluster was already terminated', 'ClusterTerminated');
    this.creating ??= this.stage('createCluster', undefined, () => CancellationScope.nonCancellable(
      () => api.createCluster.executeWithOptions(
        { summary: `create cluster${this.shape ? `: ${this.shape}` : ''}` }, [this.run, { stepConcurrency: this.stepConcurrency }]))).then((cluster) => {
      this.ref = cluster;
      upsertSearchAttributes([{ key: EMR_CLUSTER_ID, value: cluster.clusterId }]);
      this.onCreated(cluster);
      return cluster;
    });
    return this.creating;
  }

  /** Terminates the cluster if one was asked for (once; never throws: see failure()). */
  async terminate(): Promise<void> {
    if (!this.creating) return;
    this.cleanup ??= CancellationScope.nonCancellable(async (): Promise<Cleanup> => {
      const cluster = await this.creating!.catch(() => undefined);
      if (!cluster) return {};
      // The failure is kept as the activity gave it: failure() words it for the run.
      return this.stage('terminateCluster', undefined, () => terminateCluster.executeWithOptions({ summary: `terminate ${cluster.clusterId}` }, [cluster.clusterId])
        .then((terminated): Cleanup => ({ terminated }), (error: unknown): Cleanup => ({ error })));
    });
    const { terminated, error } = await this.cleanup;
    const clusterId = this.ref?.clusterId;
    if (error) log.error('could not terminate the cluster; the idle timeout and the sweeper will', { clusterId, error: String(error) });
    if (terminated?.action === 'protected') log.error('termination protection kept the cluster alive', { clusterId });
  }

  /**
   * ClusterNotTerminated when the cluster outlived the run (termination failed, or termination
   * protection kept it): the run must not look successful while a cluster keeps costing money.
   */
  async failure(provider: PipelineSettings['provider']): Promise<ApplicationFailure | undefined> {
    if (!this.cleanup || !this.ref) return undefined;
    const { terminated, error } = await this.cleanup;
    const clusterId = this.ref.clusterId;
    if (!error && terminated?.action !== 'protected') return undefined;
    const cause = error instanceof ActivityFailure && error.cause instanceof Error ? error.cause : error;
    const why = terminated?.action === 'protected' ? 'termination protection is on'
      : cause instanceof Error ? cause.message : String(cause);
    const how = terminated?.action === 'protected'
      ? 'turn termination protection off and terminate it, or run `emrflow clusters sweep`'
      : provider === 'emr' ? 'it ends at its idle timeout ([emr] idle_timeout_minutes), or run `emrflow clusters sweep` now'
        : 'run `emrflow clusters sweep` to end it';
    return ApplicationFailure.create({
      type: 'ClusterNotTerminated',
      message: `stage terminateCluster: the tasks succeeded, but cluster ${clusterId} could not be terminated (${why}); ${how}`,
      nonRetryable: true,
      details: [{ clusterId }],
      cause: error instanceof Error ? error : undefined,
    });
  }

  /**
   * What the run consumed and cost, once its cluster was terminated (or when it had none). An
   * estimate for the summary: a failure to read it is logged, never the run's failure.
   */
  async cost(): Promise<RunCost | undefined> {
    // Runs that started before the cost section existed complete as they were recorded.
    if (!patched('run-cost')) return undefined;
    await this.cleanup;
    return api.runCost(this.ref?.clusterId ?? null).catch((error: unknown) => {
      log.warn('could not estimate the run\'s cost', { clusterId: this.ref?.clusterId, error: String(error) });
      return undefined;
    });
  }

  /** createCluster's createdAt → terminateCluster's terminatedAt; null when unknown. */
  async billedSeconds(): Promise<number | null> {
    const terminatedAt = (await this.cleanup)?.terminated?.terminatedAt;
    if (!this.ref || !terminatedAt) return null;
    return (Date.parse(terminatedAt) - Date.parse(this.ref.createdAt)) / 1000;
  }
}
