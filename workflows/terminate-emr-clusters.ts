// The sweeper: terminates managed clusters whose owning run is over (or that are too old).
import { ApplicationFailure } from '@temporalio/common';
import { api, terminateCluster } from './activities-proxy';
import type { SweptCluster, TerminateEmrClustersInput, TerminateEmrClustersResult } from './shared';
import { sweepDecision } from './sweep-decision';

export async function terminateEmrClusters(input?: TerminateEmrClustersInput): Promise<TerminateEmrClustersResult> {
  const dryRun = input?.dryRun ?? false;
  const olderThanMinutes = input?.olderThanMinutes;
  if (olderThanMinutes !== undefined && !(typeof olderThanMinutes === 'number' && olderThanMinutes >= 0)) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `terminateEmrClusters input.olderThanMinutes must be a number >= 0, got ${JSON.stringify(olderThanMinutes)}` });
  }
  const found = await api.listClusters({});
  const owners = [...new Set(found.flatMap((c) => (c.ownerWorkflowId ? [c.ownerWorkflowId] : [])))];
  const statuses = owners.length > 0 ? await api.ownerStatuses(owners) : {};

  const clusters: SweptCluster[] = [];
  for (const c of found) {
    const owner = c.ownerWorkflowId ?? null;
    const ownerStatus = owner ? (statuses[owner] ?? 'UNKNOWN') : 'UNKNOWN';
    const decision = sweepDecision(c, ownerStatus, olderThanMinutes);
    const row = { clusterId: c.clusterId, name: c.name, ageMinutes: c.ageMinutes, owner, ownerStatus, reason: decision.reason };
    if (decision.action !== 'terminate') clusters.push({ ...row, action: decision.action });
    else if (dryRun) clusters.push({ ...row, action: 'would-terminate' });
    else clusters.push({ ...row, action: (await terminateCluster(c.clusterId)).action });
  }
  return { dryRun, clusters };
}
