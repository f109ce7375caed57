// A run's estimated cost, as the summary and the web UI show it. The shape is shared by the
// cost, serverless and ui branches (coord/SPEC-cost.md); the cost branch computes it.
import type { ResourceUsage } from './usage';

export interface RunCost {
  provider: 'local' | 'emr' | 'emr-serverless';
  currency: 'USD';
  estimatedUsd: number;
  /** One human line, e.g. "3 × m5.xlarge for 0.21 h at $0.192 + EMR $0.048 per instance-hour". */
  basis: string;
  usage: ResourceUsage;
  pricesFrom: 'defaults' | 'dl.cfg';
}
