// What the cost estimate multiplies usage by: AWS's public on-demand list prices for us-east-1
// unless dl.cfg's [cost] section says otherwise (another region, a negotiated rate, another
// instance type). Estimates only: AWS's bill is the truth (taxes, discounts, EBS, data transfer
// and S3 are not in them).
import type { EmrflowConfig } from '../../infra/config';

export interface Prices {
  /** EC2 on-demand USD per instance-hour, by instance type. */
  instanceHourUsd: Record<string, number>;
  /** EMR's own charge on top of EC2, USD per instance-hour. */
  emrUpliftPerInstanceHourUsd: number;
  /** EMR Serverless (x86), USD per billed vCPU-hour, memory GB-hour and storage GB-hour. */
  serverlessVcpuHourUsd: number;
  serverlessMemoryGbHourUsd: number;
  /** Billed storage is what exceeds the 20 GB each worker gets free (AWS bills nothing below it). */
  serverlessStorageGbHourUsd: number;
  /** 'dl.cfg' when any [cost] price key was set there (or in its EMRFLOW_COST_* override). */
  from: 'defaults' | 'dl.cfg';
}

/** The date the default prices below were read from AWS's public price pages. */
export const DEFAULT_PRICES_AS_OF = '2026-11';

/**
 * us-east-1, on demand, Linux: EC2 m5.xlarge $0.192/h (aws.amazon.com/ec2/pricing/on-demand),
 * EMR uplift for m5.xlarge $0.048/h (aws.amazon.com/emr/pricing), EMR Serverless x86
 * $0.052624 per vCPU-hour, $0.0057785 per GB-hour of memory, $0.000111 per GB-hour of storage
 * beyond the free 20 GB per worker (aws.amazon.com/emr/pricing, "Amazon EMR Serverless").
 * m5.xlarge is [emr]'s default instance type; other types need their price in dl.cfg.
 */
export const DEFAULT_PRICES: Prices = {
  instanceHourUsd: { 'm5.xlarge': 0.192 },
  emrUpliftPerInstanceHourUsd: 0.048,
  serverlessVcpuHourUsd: 0.052624,
  serverlessMemoryGbHourUsd: 0.0057785,
  serverlessStorageGbHourUsd: 0.000111,
  from: 'defaults',
};

/** The prices a worker uses: the defaults, with whatever [cost] sets in their place. */
export function pricesFromConfig(cost: EmrflowConfig['cost']): Prices {
  const set = cost.instance_hour_usd !== undefined || cost.emr_uplift_per_instance_hour_usd !== undefined
    || cost.serverless_vcpu_hour_usd !== undefined || cost.serverless_memory_gb_hour_usd !== undefined
    || cost.serverless_storage_gb_hour_usd !== undefined;
  return {
    instanceHourUsd: { ...DEFAULT_PRICES.instanceHourUsd, ...cost.instance_hour_usd },
    emrUpliftPerInstanceHourUsd: cost.emr_uplift_per_instance_hour_usd ?? DEFAULT_PRICES.emrUpliftPerInstanceHourUsd,
    serverlessVcpuHourUsd: cost.serverless_vcpu_hour_usd ?? DEFAULT_PRICES.serverlessVcpuHourUsd,
    serverlessMemoryGbHourUsd: cost.serverless_memory_gb_hour_usd ?? DEFAULT_PRICES.serverlessMemoryGbHourUsd,
    serverlessStorageGbHourUsd: cost.serverless_storage_gb_hour_usd ?? DEFAULT_PRICES.serverlessStorageGbHourUsd,
    from: set ? 'dl.cfg' : 'defaults',
  };
}
