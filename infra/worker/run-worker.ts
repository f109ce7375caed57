// Runs the emrflow worker until SIGINT/SIGTERM (the SDK's runtime handles the signals and
// drains in-flight tasks before run() resolves).
import type { EmrflowConfig } from '../config';
import { workerConnection } from './connect';
import { createWorker } from './create-worker';

export async function runWorker(config: EmrflowConfig, log: (line: string) => void): Promise<void> {
  const connection = await workerConnection(config);
  try {
    const worker = await createWorker({ connection, config });
    log(`worker polling task queue "${config.temporal.task_queue}" on ${config.temporal.address} (provider ${config.cluster.provider})`);
    await worker.run();
  } finally {
    await connection.close();
  }
}
