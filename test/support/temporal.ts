// Helpers for tests that talk to the run-wide dev server from global-setup.ts.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadConfig, type EmrflowConfig } from '../../infra/config';

export const temporalAddress = (): string => inject('temporalAddress');

/** The local defaults pointed at the test server, with a task queue of the test's own. */
export function testConfig(overrides: Record<string, string> = {}): EmrflowConfig {
  const env: NodeJS.ProcessEnv = {
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(),
    EMRFLOW_TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    ...overrides,
  };
  return loadConfig({ env, cwd: process.cwd(), path: undefined }).config;
}

export async function connectForTest(): Promise<{ client: Client; native: NativeConnection; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: temporalAddress() });
  const native = await NativeConnection.connect({ address: temporalAddress() });
  return {
    client: new Client({ connection }),
    native,
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
}
