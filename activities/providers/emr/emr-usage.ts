// What an EMR cluster has consumed: its instances (from its instance groups, or its instance
// fleets when it was launched with several subnets) for the seconds from its creation to its end,
// or to now while it lives. EMR bills each instance from its own start, so counting every
// instance from the cluster's creation slightly overestimates, never underestimates.
import {
  DescribeClusterCommand, ListInstanceFleetsCommand, ListInstanceGroupsCommand, type EMRClient,
} from '@aws-sdk/client-emr';
import { callTimeout } from '../../aws-clients';
import type { InstanceHours, ResourceUsage } from '../../cost/usage';

export async function emrUsage(emr: EMRClient, clusterId: string, now = Date.now()): Promise<ResourceUsage> {
  const { Cluster: cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: clusterId }), callTimeout());
  const timeline = cluster?.Status?.Timeline;
  const from = timeline?.CreationDateTime?.getTime();
  const to = timeline?.EndDateTime?.getTime() ?? now;
  const runningSeconds = from === undefined ? 0 : Math.max(0, (to - from) / 1000);
  const instances = cluster?.InstanceCollectionType === 'INSTANCE_FLEET'
    ? await fleetInstances(emr, clusterId) : await groupInstances(emr, clusterId);
  return { kind: 'emr', instances, runningSeconds };
}

/** Requested counts: running counts drop to 0 once the cluster ended, and the run paid for them. */
async function groupInstances(emr: EMRClient, clusterId: string): Promise<InstanceHours[]> {
  const out: InstanceHours[] = [];
  let marker: string | undefined;
  do {
    const page = await emr.send(new ListInstanceGroupsCommand({ ClusterId: clusterId, Marker: marker }), callTimeout());
    for (const g of page.InstanceGroups ?? []) {
      const count = Math.max(g.RequestedInstanceCount ?? 0, g.RunningInstanceCount ?? 0);
      if (g.InstanceType && count > 0) out.push({ instanceType: g.InstanceType, count, market: g.Market === 'SPOT' ? 'SPOT' : 'ON_DEMAND' });
    }
    marker = page.Marker;
  } while (marker);
  return out;
}

/** Target capacities (emrflow's fleets have one instance type of weight 1 each: capacity = instances). */
async function fleetInstances(emr: EMRClient, clusterId: string): Promise<InstanceHours[]> {
  const out: InstanceHours[] = [];
  let marker: string | undefined;
  do {
    const page = await emr.send(new ListInstanceFleetsCommand({ ClusterId: clusterId, Marker: marker }), callTimeout());
    for (const f of page.InstanceFleets ?? []) {
      const instanceType = f.InstanceTypeSpecifications?.[0]?.InstanceType;
      if (!instanceType) continue;
      const onDemand = Math.max(f.TargetOnDemandCapacity ?? 0, f.ProvisionedOnDemandCapacity ?? 0);
      const spot = Math.max(f.TargetSpotCapacity ?? 0, f.ProvisionedSpotCapacity ?? 0);
      if (onDemand > 0) out.push({ instanceType, count: onDemand, market: 'ON_DEMAND' });
      if (spot > 0) out.push({ instanceType, count: spot, market: 'SPOT' });
    }
    marker = page.Marker;
  } while (marker);
  return out;
}
