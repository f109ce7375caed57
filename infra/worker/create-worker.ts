// Builds the emrflow worker: the workflow bundle plus the activities closed over the config.
import { Worker, type NativeConnection, type WorkerOptions as SdkWorkerOptions } from '@temporalio/worker';
import { createActivities, createProvider } from '../../activities';
import type { PipelineRegistry } from '../pipelines/registry';
import type { EmrflowConfig } from '../config';
import { workflowsEntry } from '../paths';
import { keepAlive } from './keep-alive';

export interface WorkerOptions {
  connection: NativeConnection;
  config: EmrflowConfig;
  /** Tests pass recording fakes; the default builds the real activities from the config. */
  activities?: object;
  taskQueue?: string;
  workflowsPath?: string;
  /** The validated pipelines (runWorker loads them first); default: loaded on first use. */
  pipelines?: PipelineRegistry;
  /** Start the pipelines that run after a successful run (the real worker does; tests opt in). */
  startDependants?: boolean;
  /** SDK worker options that win over emrflow's (benchmarks compare against the SDK defaults). */
  overrides?: Partial<SdkWorkerOptions>;
}

export function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.config.temporal.namespace,
    taskQueue: o.taskQueue ?? o.config.temporal.task_queue,
    workflowsPath: o.workflowsPath ?? workflowsEntry,
    // Composed here, passed in: activities never build their own provider or Temporal client.
    activities: o.activities ?? createActivities(o.config, {
      provider: createProvider(o.config), pipelines: o.pipelines, startDependants: o.startDependants,
    }),
    // Heartbeats reach the server within seconds, so a cancel from the web UI reaches a
    // waiting step quickly instead of after most of the heartbeat timeout.
    maxHeartbeatThrottleInterval: '5s',
    // Each spark task spends nearly all its life in one waitForStep activity that only sleeps
    // between polls: the SDK's default of 100 concurrent activities would cap a worker at 100
    // waiting tasks and queue the rest, and a fan-out pipeline has several per run. 20,000 holds
    // 1,000 runs of 10 parallel tasks with room for their short calls (npm run bench:throughput
    // measures what one worker holds).
    maxConcurrentActivityTaskExecutions: 20_000,
    // Short activities heartbeat while they run, so a killed worker is noticed in seconds.
    interceptors: { activity: [keepAlive] },
    ...o.overrides,
  });
}
