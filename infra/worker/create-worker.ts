// Builds the emrflow worker: the workflow bundle plus the activities closed over the config.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { EmrflowConfig } from '../config';
import { workflowsEntry } from '../paths';

export interface WorkerOptions {
  connection: NativeConnection;
  config: EmrflowConfig;
  /** Tests pass recording fakes; the default builds the real activities from the config. */
  activities?: object;
  taskQueue?: string;
  workflowsPath?: string;
}

export function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.config.temporal.namespace,
    taskQueue: o.taskQueue ?? o.config.temporal.task_queue,
    workflowsPath: o.workflowsPath ?? workflowsEntry,
    activities: o.activities ?? createActivities(o.config),
    // Heartbeats reach the server within seconds, so a cancel from the web UI reaches a
    // waiting step quickly instead of after most of the heartbeat timeout.
    maxHeartbeatThrottleInterval: '5s',
  });
}
