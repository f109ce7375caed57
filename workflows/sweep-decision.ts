// Which managed clusters the sweeper terminates, and which rule decided it. Pure.
import type { ClusterSummary, SweepAction, SweepRule } from './shared';

export interface SweepDecision {
  /** 'terminate' means: terminate unless this is a dry run. */
  action: 'terminate' | Extract<SweepAction, 'kept' | 'protected'>;
  rule: SweepRule;
  reason: string;
}

export interface SweepOptions {
  olderThanMinutes?: number;
  /** With olderThanMinutes: also terminate old clusters whose owning run is still RUNNING. */
  includeRunning?: boolean;
}

export function sweepDecision(cluster: ClusterSummary, ownerStatus: string, options: SweepOptions = {}): SweepDecision {
  const kept = (rule: SweepRule, reason: string): SweepDecision => ({ action: 'kept', rule, reason });
  if (cluster.unreadable) return kept('unreadable', `its details cannot be read (${cluster.unreadable}); left alone`);
  if (!cluster.managed) return kept('not-managed', 'not tagged emrflow:managed=true');
  if (cluster.ownDeployment !== true) {
    const whose = cluster.deployment ? `emrflow:deployment=${cluster.deployment}` : 'no emrflow:deployment tag';
    return kept('another-deployment', `another deployment's (${whose}); left alone`);
  }
  const { olderThanMinutes, includeRunning = false } = options;
  const old = olderThanMinutes !== undefined && cluster.ageMinutes > olderThanMinutes;
  const age = `${cluster.ageMinutes} min old, older than ${olderThanMinutes} min`;
  let rule: SweepRule;
  let reason: string;
  if (!cluster.ownerWorkflowId) {
    rule = 'no-owner';
    reason = 'no owning run tag';
  } else if (ownerStatus !== 'RUNNING') {
    rule = 'owner-closed';
    reason = `owning run ${cluster.ownerWorkflowId} is ${ownerStatus}`;
  } else if (old && includeRunning) {
    rule = 'older-than-including-running';
    reason = `${age}, and --include-running terminates it although its run ${cluster.ownerWorkflowId} is RUNNING`;
  } else if (old) {
    return kept('owner-running', `owning run ${cluster.ownerWorkflowId} is RUNNING: spared although ${age} (add --include-running to terminate it)`);
  } else {
    return kept('owner-running', `owning run ${cluster.ownerWorkflowId} is RUNNING`);
  }
  if (old && rule !== 'older-than-including-running') reason += `; ${age}`;
  if (cluster.terminationProtected) return { action: 'protected', rule, reason: `termination protected (${reason})` };
  return { action: 'terminate', rule, reason };
}
