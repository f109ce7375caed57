// The sweeper: terminates its own deployment's managed clusters whose owning run is over
// (or, with includeRunning, that are too old). Every cluster's outcome is its own row: one that
// cannot be terminated is reported as failed and the others are still handled.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { api } from './activities-proxy';
import type { EmrflowActivities, SweptCluster, TerminateEmrClustersInput, TerminateEmrClustersResult } from './shared';
import { sweepDecision } from './sweep-decision';
import { renderSweepDetails } from './sweep-details';

/**
 * A sweep retries one termination for about a minute, not the half hour a run's own cleanup
 * does: the sweep runs every hour anyway, and one stuck cluster must not hold up the others.
 */
const { terminateCluster } = proxyActivities<EmrflowActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 4, nonRetryableErrorTypes: ['ConfigError'] },
});

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message });
}

/** The innermost failure's message: what AWS (or the provider) said. */
function causeOf(e: unknown): string {
  let err = e as Error & { cause?: unknown };
  while (err instanceof ActivityFailure && err.cause) err = err.cause as Error & { cause?: unknown };
  return err instanceof Error ? err.message : String(err);
}

export async function terminateEmrClusters(input?: TerminateEmrClustersInput): Promise<TerminateEmrClustersResult> {
  const dryRun = input?.dryRun ?? false;
  const olderThanMinutes = input?.olderThanMinutes;
  const includeRunning = input?.includeRunning ?? false;
  if (olderThanMinutes !== undefined && !(typeof olderThanMinutes === 'number' && olderThanMinutes >= 0)) {
    throw invalid(`terminateEmrClusters input.olderThanMinutes must be a number >= 0, got ${JSON.stringify(olderThanMinutes)}`);
  }
  if (includeRunning && olderThanMinutes === undefined)
    throw invalid('terminateEmrClusters input.includeRunning needs olderThanMinutes (which clusters of running runs are too old?)');
  setCurrentDetails(`### Sweep${dryRun ? ' (dry run)' : ''}: listing clusters…`);
  const found = await api.listClusters.executeWithOptions({ summary: 'list clusters' }, [{}]);
  const ours = found.filter((c) => c.managed && c.ownDeployment === true && !c.unreadable);
  const owners = [...new Set(ours.flatMap((c) => (c.ownerWorkflowId ? [c.ownerWorkflowId] : [])))];
  const statuses = owners.length > 0 ? await api.ownerStatuses(owners) : {};

  const clusters: SweptCluster[] = [];
  for (const c of found) {
    const owner = c.ownerWorkflowId ?? null;
    const ownerStatus = owner ? (statuses[owner] ?? 'UNKNOWN') : 'UNKNOWN';
    const decision = sweepDecision(c, ownerStatus, { olderThanMinutes, includeRunning });
    const row = {
      clusterId: c.clusterId, name: c.name, ageMinutes: c.ageMinutes, owner, ownerStatus,
      deployment: c.deployment ?? null, rule: decision.rule, reason: decision.reason,
    };
    if (decision.action !== 'terminate') clusters.push({ ...row, action: decision.action });
    else if (dryRun) clusters.push({ ...row, action: 'would-terminate' });
    else {
      try {
        clusters.push({ ...row, action: (await terminateCluster.executeWithOptions({ summary: `terminate ${c.clusterId}` }, [c.clusterId])).action });
      } catch (e) {
        clusters.push({ ...row, action: 'failed', reason: `${decision.reason}; could not terminate it: ${causeOf(e)}` });
      }
    }
  }
  const result = { dryRun, clusters };
  setCurrentDetails(renderSweepDetails(result));
  return result;
}
