// The estimate every run's summary carries and the budget check uses: dollars from usage and
// prices, for each provider, with the line that says how they were counted.
import { expect, test } from 'vitest';
import { budgetExceeded, budgetFor, isOverBudget } from '../../activities/cost/budget';
import { DEFAULT_PRICES, pricesFromConfig } from '../../activities/cost/prices';
import { estimateCost, usdText } from '../../activities/cost/run-cost';
import { loadConfig } from '../../infra/config';

test('emr: instance-hours × (EC2 price + EMR uplift), master and core of one type counted together', () => {
  const cost = estimateCost({
    kind: 'emr', runningSeconds: 756,
    instances: [{ instanceType: 'm5.xlarge', count: 1, market: 'ON_DEMAND' }, { instanceType: 'm5.xlarge', count: 2, market: 'ON_DEMAND' }],
  }, DEFAULT_PRICES);
  // 3 instances × 0.21 h × ($0.192 + $0.048) = $0.1512
  expect(cost).toMatchObject({ provider: 'emr', currency: 'USD', estimatedUsd: 0.1512, pricesFrom: 'defaults' });
  expect(cost.basis).toBe('3 × m5.xlarge for 12.6 min at $0.192 + EMR $0.048 per instance-hour');
});

test('emr: several types each at their own price; spot at the on-demand price; a type without a price is said, not hidden', () => {
  const prices = { ...DEFAULT_PRICES, instanceHourUsd: { 'm5.xlarge': 0.192, 'r5.2xlarge': 0.504 } };
  const cost = estimateCost({
    kind: 'emr', runningSeconds: 3600,
    instances: [{ instanceType: 'm5.xlarge', count: 1, market: 'ON_DEMAND' }, { instanceType: 'r5.2xlarge', count: 2, market: 'SPOT' }],
  }, prices);
  expect(cost.estimatedUsd).toBeCloseTo(1 * 0.24 + 2 * (0.504 + 0.048), 6);
  expect(cost.basis).toBe('1 × m5.xlarge ($0.192) + 2 × r5.2xlarge ($0.504) for 60 min + EMR $0.048 per instance-hour'
    + ' (spot instances counted at the on-demand price, an upper bound)');
  const unpriced = estimateCost({ kind: 'emr', runningSeconds: 7200, instances: [{ instanceType: 'c7g.large', count: 2, market: 'ON_DEMAND' }] }, DEFAULT_PRICES);
  expect(unpriced.estimatedUsd).toBeCloseTo(2 * 2 * 0.048, 6);
  expect(unpriced.basis).toBe('2 × c7g.large for 2 h at no EC2 price + EMR $0.048 per instance-hour (no [cost] instance_hour_usd for c7g.large: its EC2 part is not counted)');
});

test('emr-serverless: billed vCPU, memory and storage hours at their prices; a running job says "so far"', () => {
  const usage = { kind: 'emr-serverless' as const, vCPUHour: 4, memoryGBHour: 16, storageGBHour: 10, totalExecutionDurationSeconds: 900, jobRuns: 1, final: true };
  const cost = estimateCost(usage, DEFAULT_PRICES);
  expect(cost.estimatedUsd).toBeCloseTo(4 * 0.052624 + 16 * 0.0057785 + 10 * 0.000111, 6);
  expect(cost.basis).toBe('4 vCPU-h at $0.052624 + 16 memory GB-h at $0.0057785 + 10 storage GB-h at $0.000111 (billed, 1 job run)');
  expect(estimateCost({ ...usage, final: false, jobRuns: 2 }, DEFAULT_PRICES).basis).toMatch(/\(so far, 2 job runs still running\)$/);
});

test('local: nothing billed, with the wall time', () => {
  expect(estimateCost({ kind: 'local', wallSeconds: 42.4 }, DEFAULT_PRICES))
    .toEqual({ provider: 'local', currency: 'USD', estimatedUsd: 0, basis: 'spark-submit on this machine for 42 s: nothing billed', usage: { kind: 'local', wallSeconds: 42.4 }, pricesFrom: 'defaults' });
});

test('prices: the documented defaults unless [cost] sets them, and the estimate says which', () => {
  const defaults = pricesFromConfig(loadConfig({ path: undefined, env: {} }).config.cost);
  expect(defaults).toEqual(DEFAULT_PRICES);
  const { config } = loadConfig({ path: undefined, env: { EMRFLOW_COST_INSTANCE_HOUR_USD: 'r5.xlarge=0.252', EMRFLOW_COST_EMR_UPLIFT_PER_INSTANCE_HOUR_USD: '0.063' } });
  const set = pricesFromConfig(config.cost);
  expect(set).toMatchObject({ from: 'dl.cfg', emrUpliftPerInstanceHourUsd: 0.063, instanceHourUsd: { 'm5.xlarge': 0.192, 'r5.xlarge': 0.252 } });
  expect(estimateCost({ kind: 'local', wallSeconds: 1 }, set).pricesFrom).toBe('dl.cfg');
});

test('budget: the pipeline\'s own, else [cost] max_run_usd; past it, BudgetExceeded with spent, budget and basis', () => {
  expect(budgetFor(undefined, undefined)).toBeUndefined();
  expect(budgetFor(undefined, 5)).toEqual({ maxRunUsd: 5, from: '[cost] max_run_usd' });
  expect(budgetFor(2, 5)).toEqual({ maxRunUsd: 2, from: 'the pipeline\'s maxRunUsd' });
  const cost = estimateCost({ kind: 'emr', runningSeconds: 60, instances: [{ instanceType: 'm5.xlarge', count: 3, market: 'ON_DEMAND' }] }, DEFAULT_PRICES);
  expect(cost.estimatedUsd).toBe(0.012);
  expect(isOverBudget(cost, { maxRunUsd: 0.012, from: 'x' })).toBe(false);
  expect(isOverBudget(cost, { maxRunUsd: 0.0119, from: 'x' })).toBe(true);
  const failure = budgetExceeded(cost, { maxRunUsd: 0.01, from: '[cost] max_run_usd' }, { clusterId: 'j-1', stepId: 's-1' });
  expect(failure).toMatchObject({ type: 'BudgetExceeded', nonRetryable: true });
  expect(failure.message).toBe('the run\'s estimated cost so far, $0.012, is past its budget of $0.01 ([cost] max_run_usd); step s-1 was stopped and cluster j-1 is terminated. '
    + 'Basis: 3 × m5.xlarge for 60 s at $0.192 + EMR $0.048 per instance-hour');
  expect(failure.details).toEqual([{ spentUsd: 0.012, budgetUsd: 0.01, budgetFrom: '[cost] max_run_usd', basis: cost.basis, clusterId: 'j-1', stepId: 's-1' }]);
});

test('amounts read as people read them', () => {
  expect([0, 0.0002, 0.00012345, 0.012, 0.1512, 12.345].map(usdText)).toEqual(['$0.00', '$0.0002', '$0.00012', '$0.012', '$0.15', '$12.35']);
});
