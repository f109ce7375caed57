// The activities as workflows see them: types only, one proxy per timeout/retry profile.
import { proxyActivities } from '@temporalio/workflow';
import type { EmrflowActivities } from './shared';
import { apiCall, clusterCleanup, stepWait } from './activity-options';

export const api = proxyActivities<EmrflowActivities>(apiCall);
export const { waitForStep } = proxyActivities<EmrflowActivities>(stepWait);
export const { terminateCluster } = proxyActivities<EmrflowActivities>(clusterCleanup);
