// A run's estimated cost from what its provider says it consumed: pure, so the budget check
// while a step waits and the summary after the run use the same arithmetic.
import type { Prices } from './prices';
import type { InstanceHours, ResourceUsage } from './usage';

export interface RunCost {
  provider: 'local' | 'emr' | 'emr-serverless';
  currency: 'USD';
  estimatedUsd: number;
  /** One human line: what was counted, for how long, at which prices. */
  basis: string;
  usage: ResourceUsage;
  pricesFrom: 'defaults' | 'dl.cfg';
}

export function estimateCost(usage: ResourceUsage, prices: Prices): RunCost {
  const base = { provider: usage.kind, currency: 'USD' as const, usage, pricesFrom: prices.from };
  switch (usage.kind) {
    case 'local':
      return { ...base, estimatedUsd: 0, basis: `spark-submit on this machine for ${duration(usage.wallSeconds)}: nothing billed` };
    case 'emr':
      return { ...base, ...emrCost(usage.instances, usage.runningSeconds, prices) };
    case 'emr-serverless': {
      const usd = usage.vCPUHour * prices.serverlessVcpuHourUsd + usage.memoryGBHour * prices.serverlessMemoryGbHourUsd
        + usage.storageGBHour * prices.serverlessStorageGbHourUsd;
      const runs = `${usage.jobRuns} job run${usage.jobRuns === 1 ? '' : 's'}`;
      return {
        ...base,
        estimatedUsd: round(usd),
        basis: `${num(usage.vCPUHour)} vCPU-h at ${priceText(prices.serverlessVcpuHourUsd)} + ${num(usage.memoryGBHour)} memory GB-h at `
          + `${priceText(prices.serverlessMemoryGbHourUsd)} + ${num(usage.storageGBHour)} storage GB-h at ${priceText(prices.serverlessStorageGbHourUsd)}`
          + ` (${usage.final ? `billed, ${runs}` : `so far, ${runs} still running`})`,
      };
    }
  }
}

function emrCost(instances: InstanceHours[], runningSeconds: number, prices: Prices): { estimatedUsd: number; basis: string } {
  // One line per instance type (master and core of the same type are counted together).
  const byType = new Map<string, { count: number; spot: boolean }>();
  for (const i of instances) {
    const t = byType.get(i.instanceType) ?? { count: 0, spot: false };
    byType.set(i.instanceType, { count: t.count + i.count, spot: t.spot || i.market === 'SPOT' });
  }
  const hours = runningSeconds / 3600;
  const uplift = prices.emrUpliftPerInstanceHourUsd;
  let usd = 0;
  const unpriced: string[] = [];
  const parts = [...byType].map(([type, { count }]) => {
    const ec2 = prices.instanceHourUsd[type];
    if (ec2 === undefined) unpriced.push(type);
    usd += count * hours * ((ec2 ?? 0) + uplift);
    return { text: `${count} × ${type}`, price: ec2 === undefined ? 'no EC2 price' : priceText(ec2) };
  });
  const spot = [...byType.values()].some((t) => t.spot);
  const what = parts.length === 0 ? 'no instances'
    : parts.length === 1 ? `${parts[0]!.text} for ${duration(runningSeconds)} at ${parts[0]!.price}`
      : `${parts.map((p) => `${p.text} (${p.price})`).join(' + ')} for ${duration(runningSeconds)}`;
  const notes = [
    ...(spot ? ['spot instances counted at the on-demand price, an upper bound'] : []),
    ...(unpriced.length ? [`no [cost] instance_hour_usd for ${unpriced.join(', ')}: its EC2 part is not counted`] : []),
  ];
  return {
    estimatedUsd: round(usd),
    basis: `${what} + EMR ${priceText(uplift)} per instance-hour${notes.length ? ` (${notes.join('; ')})` : ''}`,
  };
}

/** An amount as people read it: cents from a dollar up, two significant digits below ($0.012, $0.00031). */
export function usdText(usd: number): string {
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2)).toString()}`;
}

/** A unit price exactly as configured ($0.0057785). */
const priceText = (usd: number): string => `$${usd}`;

/** "42 s", "12.5 min", "1.27 h". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Number((seconds / 60).toFixed(1))} min`;
  return `${Number((seconds / 3600).toFixed(2))} h`;
}

const num = (n: number): string => Number(n.toPrecision(3)).toString();
/** Micro-dollars: enough for a seconds-long run's cost, without float noise. */
const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;
