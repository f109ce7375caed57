// The activities of pipeline runs: resolve a pipeline's plan, the input sensor, check tasks.
import { ApplicationFailure } from '@temporalio/common';
import type { S3Client } from '@aws-sdk/client-s3';
import type { EmrflowConfig } from '../../infra/config';
import type { PipelineRegistry } from '../../infra/pipelines/registry';
import type { CheckRequest, WaitForInputRequest } from '../../workflows/pipeline-types';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { fillPlaceholders, runValues } from '../../pipelines/placeholders';
import { inputExists, waitForInput } from './wait-for-input';

export interface PipelineActivityDeps {
  config: EmrflowConfig;
  pipelines: () => Promise<PipelineRegistry>;
  s3: () => S3Client;
  /** Start the pipelines that run after a successful run (false in tests that do not want them). */
  startDependants: boolean;
}

export function createPipelineActivities(deps: PipelineActivityDeps) {
  const { config } = deps;
  return {
    async resolvePipeline(name: string): Promise<PipelinePlan> {
      const registry = await deps.pipelines();
      const plan = registry.plan(name);
      if (!plan) {
        throw ApplicationFailure.create({
          type: 'InvalidInput', nonRetryable: true,
          message: `unknown pipeline ${JSON.stringify(name)}; known pipelines: ${registry.names().join(', ')}`,
        });
      }
      // The deadline's zone defaults to the schedule's, and that to [schedule] time_zone.
      const resolved = plan.deadline ? { ...plan, deadline: { time: plan.deadline.time, timeZone: plan.deadline.timeZone ?? config.schedule.time_zone } } : plan;
      return deps.startDependants ? resolved : { ...resolved, dependants: [] };
    },
    async waitForInput(r: WaitForInputRequest) {
      const path = fillPlaceholders(r.path, runValues({
        runDate: r.runDate, mode: r.mode, runId: r.runId, input: config.datalake.input_data, output: config.datalake.output_data,
      }));
      return waitForInput(path, r, (p) => inputExists(p, deps.s3));
    },
    async runCheck(r: CheckRequest): Promise<{ passed: true }> {
      const task = (await deps.pipelines()).definition(r.pipeline)?.tasks.find((t) => t.id === r.task);
      if (!task || task.kind !== 'check') throw ApplicationFailure.nonRetryable(`pipeline ${r.pipeline} has no check task ${r.task}`, 'ConfigError');
      const problems = task.check({
        reports: r.reports, runDate: r.runDate, mode: r.mode, forcePublish: r.forcePublish,
        settings: {
          maxRejectedShare: config.quality.max_rejected_share,
          maxMonthShrink: config.quality.max_month_shrink,
          outputUri: config.datalake.output_data,
        },
      });
      if (problems.length === 0) return { passed: true };
      const staged = Object.values(r.reports).map((rep) => (rep as { staged_uri?: string }).staged_uri).find(Boolean);
      throw ApplicationFailure.create({
        type: 'DataQualityFailed', nonRetryable: true,
        message: `data quality: ${problems.join('; ')}${staged ? `; the staged output is kept at ${staged}` : ''}`,
        details: [{ problems, ...(staged && { staged }) }],
      });
    },
  };
}
