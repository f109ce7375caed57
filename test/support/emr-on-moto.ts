// What every EMR-on-moto file sets up: moto, a connection to the run's dev server, the EMRFLOW_*
// settings of a worker on a task queue of its own, and that worker (the real activities), all
// stopped by close().
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import type { EmrflowConfig } from '../../infra/config';
import { createWorker } from '../../infra/worker/create-worker';
import { emrSettings, startMoto, type Moto } from './moto';
import { connectForTest, temporalAddress } from './temporal';

export interface EmrOnMoto {
  moto: Moto;
  conn: Awaited<ReturnType<typeof connectForTest>>;
  /** The EMR settings against moto, a 1 s step poll, the dev server, the task queue. */
  env: Record<string, string>;
  /** Starts a worker with the real activities on `config`; close() stops it. */
  startWorker(config: EmrflowConfig): Promise<Worker>;
  close(): Promise<void>;
}

/** `queue` names the task queue (made unique here); `overrides` are more EMRFLOW_* settings. */
export async function emrOnMoto(queue: string, overrides: Record<string, string> = {}): Promise<EmrOnMoto> {
  const [motoStarted, connected] = await Promise.allSettled([startMoto(), connectForTest()]);
  if (motoStarted.status === 'rejected' || connected.status === 'rejected') {
    // Whichever did start must not outlive the failed set-up.
    if (motoStarted.status === 'fulfilled') await motoStarted.value.stop();
    if (connected.status === 'fulfilled') await connected.value.close();
    throw motoStarted.status === 'rejected' ? motoStarted.reason : (connected as PromiseRejectedResult).reason;
  }
  const [moto, conn] = [motoStarted.value, connected.value];
  let stopWorker = async (): Promise<void> => {};
  return {
    moto,
    conn,
    env: {
      ...emrSettings(moto.endpoint),
      EMRFLOW_EMR_STEP_POLL_SECONDS: '1',
      EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(),
      EMRFLOW_TEMPORAL_TASK_QUEUE: `${queue}-${randomUUID()}`,
      ...overrides,
    },
    async startWorker(config) {
      const worker = await createWorker({ connection: conn.native, config });
      const running = worker.run();
      stopWorker = async () => { worker.shutdown(); await running; };
      return worker;
    },
    async close() {
      await stopWorker();
      await conn.close();
      await moto.stop();
    },
  };
}
