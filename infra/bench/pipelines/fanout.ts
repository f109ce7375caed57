// bench-fanout: ten independent spark tasks, all started at once on the run's one cluster
// (npm run bench:throughput's fan-out capacity). The simulated provider runs no script; the
// worker loads this folder with loadPipelines({ dir: infra/bench/pipelines, sparkJobs: infra/bench }).
import { definePipeline, type SparkTask } from '../../../pipelines/define';

export const FANOUT_WIDTH = 10;

export default definePipeline({
  name: 'bench-fanout',
  description: `${FANOUT_WIDTH} parallel spark tasks on one cluster (benchmark only)`,
  tasks: Array.from({ length: FANOUT_WIDTH }, (_, i): SparkTask => ({
    id: `part-${i + 1}`, kind: 'spark', script: 'noop_job.py', args: ['--part', String(i + 1), '--run-date', '{runDate}'],
  })),
});
