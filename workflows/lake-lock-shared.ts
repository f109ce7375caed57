// Names and payloads of the lake lock (workflows/lake-lock.ts), shared with the activity that
// queues a run for it (activities/publish/lock-activities.ts). No Node built-ins here.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const LAKE_LOCK_WORKFLOW_TYPE = 'lakeLock';

/** A run asking for the lake; tied to its run id: a closed run's request or hold is dropped. */
export interface LakeLockRequest {
  /** Unique per acquisition: release and grant name it, a repeated request is ignored. */
  requestId: string;
  workflowId: string;
  runId: string;
}

export interface LakeLockState {
  /** The normalised output URI this lock guards. */
  lake: string;
  /** How often the lock asks Temporal whether its holder's run is still open. */
  checkSeconds: number;
  /** History events after which the lock continues as new (default 2000; tests lower it). */
  maxHistory?: number;
  holder: LakeLockRequest | null;
  queue: LakeLockRequest[];
  /** Waiters still to be told who holds the lake. */
  notify: string[];
}

export interface LakeLockView {
  lake: string;
  holderWorkflowId: string | null;
  waitingWorkflowIds: string[];
}

/** To the lock: queue me (sent with signalWithStart, so the first request starts the lock). */
export const lakeLockRequestSignal = defineSignal<[LakeLockRequest]>('lakeLockRequest');
/** To the lock: I am done, or I stop waiting (a cancelled waiter leaves the queue). */
export const lakeLockReleaseSignal = defineSignal<[{ requestId: string }]>('lakeLockRelease');
/** To a requester: the lake is yours. */
export const lakeLockGrantedSignal = defineSignal<[{ requestId: string }]>('lakeLockGranted');
/** To a requester: you wait; this run holds the lake. */
export const lakeLockWaitingSignal = defineSignal<[{ requestId: string; holderWorkflowId: string | null }]>('lakeLockWaiting');
export const lakeLockStateQuery = defineQuery<LakeLockView>('lakeLockState');

export interface RequestLakeLockInput {
  /** The output URI as configured; the activity normalises it into the lock's id. */
  lake: string;
  request: LakeLockRequest;
}
