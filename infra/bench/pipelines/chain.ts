// bench-chain: a → b, two spark tasks one after the other on the run's one cluster
// (npm run bench:overhead's step end → dependant's step start).
import { definePipeline } from '../../../pipelines/define';

export default definePipeline({
  name: 'bench-chain',
  description: 'spark task a, then spark task b on the same cluster (benchmark only)',
  tasks: [
    { id: 'a', kind: 'spark', script: 'noop_job.py', args: ['--task', 'a'] },
    { id: 'b', kind: 'spark', script: 'noop_job.py', args: ['--task', 'b'], dependsOn: ['a'] },
  ],
});
