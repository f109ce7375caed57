// The activities as workflows see them: types only, one proxy per timeout/retry profile.
import { proxyActivities } from '@temporalio/workflow';
import type { EmrflowActivities } from './shared';
import { apiCall, clusterCleanup, inputWait, stepWait } from './activity-options';
import { publishCall } from './publish-options';

export const api = proxyActivities<EmrflowActivities>(apiCall);
export const { waitForStep } = proxyActivities<EmrflowActivities>(stepWait);
export const { terminateCluster } = proxyActivities<EmrflowActivities>(clusterCleanup);
/** recoverPublish, publishStaged, cleanStaging (activities/publish). */
export const lake = proxyActivities<EmrflowActivities>(publishCall);
export const waitForInput = (timeoutMinutes: number) => proxyActivities<EmrflowActivities>(inputWait(timeoutMinutes)).waitForInput;
