// The alternative the cost benchmark compares with: create the cluster, poll until it is
// WAITING, only then add the step (what many Airflow DAGs do with an EmrJobFlowSensor before
// EmrAddStepsOperator). emrflow adds the step right after RunJobFlow instead.
import type { ClusterProvider } from '../../activities/providers/cluster-provider';
import type { StepRef, StepRequest } from '../../workflows/shared';

export function addStepWhenWaiting(provider: ClusterProvider): ClusterProvider {
  return Object.assign(Object.create(provider) as ClusterProvider, {
    async addStep(request: StepRequest): Promise<StepRef> {
      for (;;) {
        const cluster = await provider.describeCluster(request.clusterId);
        if (cluster.state === 'WAITING') return provider.addStep(request);
        if (cluster.ended) throw new Error(`cluster ${request.clusterId} ended (${cluster.state}) before it was WAITING`);
        await new Promise((r) => setTimeout(r, provider.pollSeconds * 1000));
      }
    },
  });
}
