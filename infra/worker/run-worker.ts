// Runs the emrflow worker until SIGINT/SIGTERM (the SDK's runtime handles the signals and
// drains in-flight tasks before run() resolves). The pipelines are loaded and validated first:
// an invalid definition stops the worker before it polls anything (exit 2).
import type { EmrflowConfig } from '../config';
import { loadPipelines, type PipelineRegistry } from '../pipelines/registry';
import { scheduleDefinitions } from '../schedules/definitions';
import { syncSchedules } from '../schedules/sync';
import { temporalClient, workerConnection } from './connect';
import { createWorker } from './create-worker';

export async function runWorker(
  config: EmrflowConfig,
  log: (line: string) => void,
  options: { syncSchedules?: boolean; pipelines?: PipelineRegistry } = {},
): Promise<void> {
  const pipelines = options.pipelines ?? await loadPipelines();
  log(`pipelines: ${pipelines.names().join(', ')}`);
  if (options.syncSchedules ?? true) {
    const client = await temporalClient(config);
    try {
      const result = await syncSchedules(client, scheduleDefinitions(config, pipelines.plans()));
      log(`schedules: ${Object.entries(result).map(([id, what]) => `${id} ${what}`).join(', ')}`);
    } finally {
      await client.connection.close();
    }
  }
  const connection = await workerConnection(config);
  try {
    const worker = await createWorker({ connection, config, pipelines, startDependants: true });
    log(`worker polling task queue "${config.temporal.task_queue}" on ${config.temporal.address} (provider ${config.cluster.provider})`);
    await worker.run();
  } finally {
    await connection.close();
  }
}
