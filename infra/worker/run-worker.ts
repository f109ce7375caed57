// Runs the emrflow worker until SIGINT/SIGTERM (the SDK's runtime handles the signals and
// drains in-flight tasks before run() resolves). The pipelines are loaded and validated first:
// an invalid definition stops the worker before it polls anything (exit 2).
import type { EmrflowConfig } from '../config';
import { loadPipelines, type PipelineRegistry } from '../pipelines/registry';
import { scheduleDefinitions } from '../schedules/definitions';
import { syncSchedules } from '../schedules/sync';
import { temporalClient, workerConnection } from './connect';
import { createWorker } from './create-worker';
import { ensureSearchAttributes } from './ensure-search-attributes';
import { startHealthServer } from './health-server';

export async function runWorker(
  config: EmrflowConfig,
  log: (line: string) => void,
  options: {
    syncSchedules?: boolean;
    pipelines?: PipelineRegistry;
    /** Called as the worker starts polling: `npm start` starts its demo run only then. */
    onPolling?: () => void;
  } = {},
): Promise<void> {
  const pipelines = options.pipelines ?? await loadPipelines();
  log(`pipelines: ${pipelines.names().join(', ')}`);
  // Before the schedules: their runs carry the attributes too.
  const operator = await workerConnection(config);
  try {
    await ensureSearchAttributes(operator.operatorService, config, log);
  } finally {
    await operator.close();
  }
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
    const health = config.worker.health_port === undefined ? undefined : await startHealthServer(config.worker.health_port, connection, worker);
    if (health) log(`health: http://127.0.0.1:${config.worker.health_port}/health`);
    if (config.worker.metrics_port !== undefined) log(`metrics: http://127.0.0.1:${config.worker.metrics_port}/metrics`);
    try {
      const running = worker.run();
      options.onPolling?.();
      await running;
    } finally {
      health?.close();
    }
  } finally {
    await connection.close();
  }
}
