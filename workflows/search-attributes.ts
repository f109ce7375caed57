// Typed keys of the custom search attributes (registered as Keyword, see SEARCH_ATTRIBUTES).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUN_DATE = defineSearchAttributeKey('RunDate', SearchAttributeType.KEYWORD);
export const PIPELINE_KEY = defineSearchAttributeKey('Pipeline', SearchAttributeType.KEYWORD);
export const EMR_CLUSTER_ID = defineSearchAttributeKey('EmrClusterId', SearchAttributeType.KEYWORD);
export const EMR_STEP_ID = defineSearchAttributeKey('EmrStepId', SearchAttributeType.KEYWORD);
/** Set by the server on runs a Schedule starts: the time the run was scheduled for. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
