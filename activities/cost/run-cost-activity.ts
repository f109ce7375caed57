// The runCost activity: after the run's cluster was terminated, what it consumed and what that
// cost, for the run's summary. A run with no cluster consumed nothing, on any provider.
import type { ClusterProvider } from '../providers/cluster-provider';
import type { Prices } from './prices';
import { estimateCost, type RunCost } from './run-cost';
import type { ResourceUsage } from './usage';

export async function runCost(provider: ClusterProvider, prices: Prices, clusterId: string | null): Promise<RunCost> {
  return estimateCost(clusterId === null ? nothingUsed(provider.kind) : await provider.usage(clusterId), prices);
}

function nothingUsed(kind: ClusterProvider['kind'] | 'emr-serverless'): ResourceUsage {
  if (kind === 'local') return { kind, wallSeconds: 0 };
  if (kind === 'emr') return { kind, instances: [], runningSeconds: 0 };
  return { kind, vCPUHour: 0, memoryGBHour: 0, storageGBHour: 0, totalExecutionDurationSeconds: 0, jobRuns: 0, final: true };
}
