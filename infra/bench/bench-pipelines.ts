// The benchmarks' own pipelines (infra/bench/pipelines/), loaded through the registry as a
// deployment's pipelines folder would be (EMRFLOW_PIPELINES_DIR): their spark tasks name the
// do-nothing job next to this file, which the simulated provider never runs.
import { join } from 'node:path';
import { loadPipelines, type PipelineRegistry } from '../pipelines/registry';

export const benchPipelinesDir = join(import.meta.dirname, 'pipelines');
export const benchJobScript = join(import.meta.dirname, 'noop_job.py');

export function loadBenchPipelines(): Promise<PipelineRegistry> {
  return loadPipelines({ dir: benchPipelinesDir, sparkJobs: import.meta.dirname });
}
