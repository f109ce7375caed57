// Finding a run's cluster and step in moto from the test side, by the names emrflow gives them
// (activities/providers/cluster-provider.ts: clusterName).
import { ListClustersCommand, ListStepsCommand, type EMRClient } from '@aws-sdk/client-emr';

/** The clusters emrflow created for one run (every state). */
export async function clustersOf(emr: EMRClient, workflowId: string) {
  const { Clusters = [] } = await emr.send(new ListClustersCommand({}));
  return Clusters.filter((c) => c.Name === `emrflow-${workflowId}`);
}

/** Waits until the run's one step exists in moto, and returns its cluster and step ids and the arguments the cluster would run it with. */
export async function stepOf(emr: EMRClient, workflowId: string, timeoutMs = 90_000): Promise<{ clusterId: string; stepId: string; args: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const c of await clustersOf(emr, workflowId)) {
      const { Steps = [] } = await emr.send(new ListStepsCommand({ ClusterId: c.Id }));
      if (Steps[0]) return { clusterId: c.Id!, stepId: Steps[0].Id!, args: Steps[0].Config?.Args ?? [] };
    }
    if (Date.now() > deadline) throw new Error(`no step for ${workflowId}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
