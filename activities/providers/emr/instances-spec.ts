// RunJobFlow's Instances from [emr]: instance groups in one subnet (or EMR's default), or
// instance fleets when several subnets are given, so EMR launches in the first of them that has
// the capacity (Ec2SubnetIds is only accepted with fleets). Extra security groups go on top of
// the EMR-managed ones in both cases.
import type { JobFlowInstancesConfig } from '@aws-sdk/client-emr';
import type { EmrflowConfig } from '../../../infra/config';

export function instancesSpec(e: EmrflowConfig['emr']): JobFlowInstancesConfig {
  const common: JobFlowInstancesConfig = {
    KeepJobFlowAliveWhenNoSteps: true,
    TerminationProtected: false,
    ...(e.additional_master_security_groups.length && { AdditionalMasterSecurityGroups: e.additional_master_security_groups }),
    ...(e.additional_core_security_groups.length && { AdditionalSlaveSecurityGroups: e.additional_core_security_groups }),
  };
  if (e.subnet_ids.length > 1) {
    const spot = e.core_market === 'SPOT';
    return {
      ...common,
      Ec2SubnetIds: e.subnet_ids,
      InstanceFleets: [
        { Name: 'master', InstanceFleetType: 'MASTER', TargetOnDemandCapacity: 1, InstanceTypeConfigs: [{ InstanceType: e.master_instance_type }] },
        {
          Name: 'core', InstanceFleetType: 'CORE',
          ...(spot ? { TargetSpotCapacity: e.core_instance_count } : { TargetOnDemandCapacity: e.core_instance_count }),
          InstanceTypeConfigs: [{ InstanceType: e.core_instance_type }],
        },
      ],
    };
  }
  return {
    ...common,
    ...(e.subnet_ids.length === 1 && { Ec2SubnetId: e.subnet_ids[0] }),
    InstanceGroups: [
      { Name: 'master', InstanceRole: 'MASTER', Market: 'ON_DEMAND', InstanceType: e.master_instance_type, InstanceCount: 1 },
      { Name: 'core', InstanceRole: 'CORE', Market: e.core_market, InstanceType: e.core_instance_type, InstanceCount: e.core_instance_count },
    ],
  };
}
