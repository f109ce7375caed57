// One writer per lake: a lock workflow per output location grants the lake to one run at a time,
// in the order the requests arrived, by signal (after temporalio/samples-typescript's mutex).
// A holder is tied to its run id: the lock asks Temporal every checkSeconds whether that run is
// still open and releases it when not, so a run that dies (terminated, timed out, failed in a
// way that skipped its release) frees the lake without a lease timer that a long run could outlive.
import {
  CancellationScope, condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler,
  uuid4, workflowInfo, type ActivityOptions,
} from '@temporalio/workflow';
import {
  lakeLockGrantedSignal, lakeLockReleaseSignal, lakeLockRequestSignal, lakeLockStateQuery, lakeLockWaitingSignal,
  type LakeLockRequest, type LakeLockState,
} from './lake-lock-shared';
import type { EmrflowActivities } from './shared';

/** Lock plumbing: short calls; a failed check keeps the holder (the next check asks again). */
const lockCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};
const { requestLakeLock, runIsOpen } = proxyActivities<EmrflowActivities>(lockCall);

/** Events after which the lock starts afresh (continue-as-new), well under Temporal's limits. */
const MAX_HISTORY = 2_000;

export async function lakeLock(state: LakeLockState): Promise<void> {
  const { lake, checkSeconds, queue, maxHistory = MAX_HISTORY } = state;
  let holder = state.holder;
  const notify = new Set(state.notify);
  setHandler(lakeLockRequestSignal, (req) => {
    if (holder?.requestId === req.requestId || queue.some((q) => q.requestId === req.requestId)) return;
    queue.push(req);
    notify.add(req.requestId);
  });
  setHandler(lakeLockReleaseSignal, ({ requestId }) => {
    if (holder?.requestId === requestId) holder = null;
    const i = queue.findIndex((q) => q.requestId === requestId);
    if (i >= 0) queue.splice(i, 1);
  });
  setHandler(lakeLockStateQuery, () => ({
    lake, holderWorkflowId: holder?.workflowId ?? null, waitingWorkflowIds: queue.map((q) => q.workflowId),
  }));

  for (;;) {
    if (holder === null) {
      const next = queue.shift();
      if (!next) return; // idle: the next request starts a new run of the lock
      holder = next;
      try {
        await getExternalWorkflowHandle(next.workflowId, next.runId).signal(lakeLockGrantedSignal, { requestId: next.requestId });
        for (const q of queue) notify.add(q.requestId);
      } catch {
        // The requester's run closed while it waited: skip it.
        if (holder === next) holder = null;
      }
      continue;
    }
    for (const requestId of [...notify]) {
      notify.delete(requestId);
      const waiter = queue.find((q) => q.requestId === requestId);
      if (!waiter) continue;
      await getExternalWorkflowHandle(waiter.workflowId, waiter.runId)
        .signal(lakeLockWaitingSignal, { requestId, holderWorkflowId: holder?.workflowId ?? null })
        .catch(() => undefined); // a closed waiter is skipped when its turn comes
    }
    const held: LakeLockRequest | null = holder;
    if (held === null) continue;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistory) {
      await continueAsNew<typeof lakeLock>({ lake, checkSeconds, maxHistory, holder: held, queue, notify: [...notify] });
    }
    const changed = await condition(() => holder !== held || notify.size > 0, checkSeconds * 1000);
    if (!changed) {
      const open = await runIsOpen({ workflowId: held.workflowId, runId: held.runId }).catch(() => true);
      if (!open && holder === held) holder = null;
    }
  }
}

/**
 * Runs fn while this run holds the lake. Waits in line for it (granted in request order), calling
 * onWaiting with the holder's workflow id while it waits; always releases, also when cancelled
 * while waiting (then it leaves the queue). Call it once at a time per workflow.
 */
export async function withLakeLock<T>(
  lake: string,
  onWaiting: (holderWorkflowId: string | null) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const { workflowId, runId } = workflowInfo();
  const requestId = uuid4();
  let granted = false;
  setHandler(lakeLockGrantedSignal, (s) => {
    if (s.requestId === requestId) granted = true;
  });
  setHandler(lakeLockWaitingSignal, (s) => {
    if (s.requestId === requestId && !granted) onWaiting(s.holderWorkflowId);
  });
  // Not cancellable: once asked, the request is in the lock's queue, and the finally below must know where to withdraw it.
  const { lockWorkflowId } = await CancellationScope.nonCancellable(() =>
    requestLakeLock({ lake, request: { requestId, workflowId, runId } }));
  try {
    await condition(() => granted);
    return await fn();
  } finally {
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(lockWorkflowId).signal(lakeLockReleaseSignal, { requestId }).catch(() => undefined));
  }
}
