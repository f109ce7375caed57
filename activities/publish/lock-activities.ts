// What the lake lock needs outside the workflow sandbox: starting the lock and queuing in one call
// (signalWithStart, which a workflow cannot do), and asking whether a holder's run is still open.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { lakeLock } from '../../workflows/lake-lock';
import { lakeLockRequestSignal, type RequestLakeLockInput } from '../../workflows/lake-lock-shared';
import { lakeKey, lakeLockWorkflowId } from './lake-key';

export interface LockDeps {
  /** The Temporal client; default the activity context's. */
  temporalClient?: () => Promise<Client>;
  /** How often the lock checks that its holder's run is open (default 30 s). */
  lockCheckSeconds?: number;
  /** History events after which the lock continues as new (default 2000; tests lower it). */
  lockMaxHistory?: number;
}

export function createLockActivities(deps: LockDeps = {}) {
  const client = async (): Promise<Client> => (deps.temporalClient ? deps.temporalClient() : Context.current().client);
  return {
    /** Queues the request on the lake's lock, starting the lock if none runs; returns the lock's workflow id. */
    async requestLakeLock(input: RequestLakeLockInput): Promise<{ lockWorkflowId: string }> {
      const lockWorkflowId = lakeLockWorkflowId(input.lake);
      await (await client()).workflow.signalWithStart<typeof lakeLock, [RequestLakeLockInput['request']]>('lakeLock', {
        workflowId: lockWorkflowId,
        // The lock runs where its requesters run: every worker of this queue registers it.
        taskQueue: Context.current().info.taskQueue,
        args: [{ lake: lakeKey(input.lake), checkSeconds: deps.lockCheckSeconds ?? 30,
          ...(deps.lockMaxHistory ? { maxHistory: deps.lockMaxHistory } : {}), holder: null, queue: [], notify: [] }],
        signal: lakeLockRequestSignal,
        signalArgs: [input.request],
      });
      return { lockWorkflowId };
    },
    /** True while that exact run (not a later run of the same workflow id) is running. */
    async runIsOpen(input: { workflowId: string; runId: string }): Promise<boolean> {
      try {
        const d = await (await client()).workflow.getHandle(input.workflowId, input.runId).describe();
        return d.status.name === 'RUNNING';
      } catch (e) {
        if ((e as Error).name === 'WorkflowNotFoundError') return false;
        throw e;
      }
    },
  };
}
