// dl.cfg → where runs execute, read and write, for the web UI's run metadata
// (workflows/run-metadata.ts builds the text; clients and the pipelineSettings activity share this).
import type { EmrflowConfig } from './config';
import type { PipelinePlan } from '../workflows/pipeline-plan';
import { emrClusterShape, runMetadata, type RunMetadata, type RunPlace } from '../workflows/run-metadata';
import type { EtlMode } from '../workflows/shared';

export function runPlace(config: EmrflowConfig): RunPlace {
  const provider = config.cluster.provider;
  const onAws = provider !== 'local';
  const s = config.emr_serverless;
  const cluster = provider === 'emr' ? emrClusterShape(config.emr)
    : provider === 'emr-serverless'
      ? `EMR Serverless application ${s.application_id ?? s.application_name}, ${s.release_label}`
      : `spark-submit, ${config.local.spark_master}`;
  return {
    provider,
    cluster,
    ...(onAws && { region: config.aws.region }),
    inputUri: config.datalake.input_data,
    outputUri: config.datalake.output_data,
  };
}

/** A run's static summary and details, from its plan when the caller has it. */
export function runMetadataFor(
  config: EmrflowConfig, pipeline: string, plan: Pick<PipelinePlan, 'description' | 'tasks'> | undefined,
  run: { runDate?: string; mode: EtlMode; startedBy: string },
): RunMetadata {
  return runMetadata({ pipeline, description: plan?.description, tasks: plan?.tasks, place: runPlace(config), ...run });
}
