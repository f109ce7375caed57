// The budget check a waiting step makes at every poll: the run's estimated cost so far against
// the pipeline's maxRunUsd, else [cost] max_run_usd. Past it, the run must stop paying: the
// caller cancels the step and fails with this non-retryable BudgetExceeded, and the workflow's
// always-terminate path ends the cluster.
import { ApplicationFailure } from '@temporalio/common';
import { usdText, type RunCost } from './run-cost';

export interface Budget {
  maxRunUsd: number;
  /** Where the budget was set, for the message: "[cost] max_run_usd" or "the pipeline's maxRunUsd". */
  from: string;
}

/** The budget that applies: the pipeline's own, else dl.cfg's; none when neither is set. */
export function budgetFor(pipelineMaxRunUsd: number | undefined, configMaxRunUsd: number | undefined): Budget | undefined {
  if (pipelineMaxRunUsd !== undefined) return { maxRunUsd: pipelineMaxRunUsd, from: 'the pipeline\'s maxRunUsd' };
  if (configMaxRunUsd !== undefined) return { maxRunUsd: configMaxRunUsd, from: '[cost] max_run_usd' };
  return undefined;
}

export const isOverBudget = (cost: RunCost, budget: Budget): boolean => cost.estimatedUsd > budget.maxRunUsd;

export function budgetExceeded(cost: RunCost, budget: Budget, step: { clusterId: string; stepId: string }): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'BudgetExceeded',
    nonRetryable: true,
    message: `the run's estimated cost so far, ${usdText(cost.estimatedUsd)}, is past its budget of ${usdText(budget.maxRunUsd)} `
      + `(${budget.from}); step ${step.stepId} was stopped and cluster ${step.clusterId} is terminated. Basis: ${cost.basis}`,
    details: [{
      spentUsd: cost.estimatedUsd, budgetUsd: budget.maxRunUsd, budgetFrom: budget.from, basis: cost.basis,
      clusterId: step.clusterId, stepId: step.stepId,
    }],
  });
}
