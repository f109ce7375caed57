// Which managed clusters the sweeper terminates, and why. Pure.
import type { ClusterSummary, SweepAction } from './shared';

export interface SweepDecision {
  /** 'terminate' means: terminate unless this is a dry run. */
  action: 'terminate' | Extract<SweepAction, 'kept' | 'protected'>;
  reason: string;
}

export function sweepDecision(cluster: ClusterSummary, ownerStatus: string, olderThanMinutes?: number): SweepDecision {
  if (!cluster.managed) return { action: 'kept', reason: 'not tagged emrflow:managed=true' };
  const reasons: string[] = [];
  if (!cluster.ownerWorkflowId) reasons.push('no owning run tag');
  else if (ownerStatus !== 'RUNNING') reasons.push(`owning run ${cluster.ownerWorkflowId} is ${ownerStatus}`);
  if (olderThanMinutes !== undefined && cluster.ageMinutes > olderThanMinutes) {
    reasons.push(`${cluster.ageMinutes} min old, older than ${olderThanMinutes} min`);
  }
  if (reasons.length === 0) return { action: 'kept', reason: `owning run ${cluster.ownerWorkflowId} is RUNNING` };
  const reason = reasons.join('; ');
  if (cluster.terminationProtected) return { action: 'protected', reason: `termination protected (${reason})` };
  return { action: 'terminate', reason };
}
