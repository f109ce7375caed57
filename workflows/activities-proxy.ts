// The activities as workflows see them: types only, one proxy per timeout/retry profile.
import { proxyActivities } from '@temporalio/workflow';
import type { EmrflowActivities } from './shared';
import type { LakeActivities } from './pipeline-types';
import { apiCall, clusterCleanup, inputWait, publishCall, stepWait } from './activity-options';

export const api = proxyActivities<EmrflowActivities>(apiCall);
export const { waitForStep } = proxyActivities<EmrflowActivities>(stepWait);
export const { terminateCluster } = proxyActivities<EmrflowActivities>(clusterCleanup);
export const lake = proxyActivities<LakeActivities>(apiCall);
export const { publishStaged } = proxyActivities<LakeActivities>(publishCall);
export const waitForInput = (timeoutMinutes: number) => proxyActivities<EmrflowActivities>(inputWait(timeoutMinutes)).waitForInput;
