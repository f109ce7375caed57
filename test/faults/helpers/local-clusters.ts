// What the local provider's state directory says about a run's clusters and step processes:
// the ground truth for "exactly one cluster, terminated, nothing left running".
import { LocalState } from '../../../activities/providers/local/local-state';
import { groupAlive } from '../../../activities/providers/local/process-group';

export interface ClusterOnDisk {
  clusterId: string;
  state: string;
  owner: string | undefined;
  steps: { stepId: string; pid?: number; running: boolean }[];
}

export async function clustersOnDisk(stateDir: string): Promise<ClusterOnDisk[]> {
  const state = new LocalState(stateDir);
  const out: ClusterOnDisk[] = [];
  for (const clusterId of await state.listClusterIds()) {
    const cluster = await state.readCluster(clusterId);
    const steps = [];
    for (const stepId of await state.listStepIds(clusterId)) {
      const step = await state.readStep(clusterId, stepId);
      steps.push({ stepId, pid: step?.pid, running: step?.pid !== undefined && groupAlive(step.pid) });
    }
    out.push({ clusterId, state: cluster?.state ?? 'MISSING', owner: cluster?.tags['emrflow:workflow-id'], steps });
  }
  return out;
}
