// A Temporal dev server of the benchmark's own (the CLI from .venv) on free ports, in memory,
// with emrflow's search attributes; stopped again by stop().
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import { temporalCli } from '../paths';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

export interface BenchTemporal {
  address: string;
  client: Client;
  native: NativeConnection;
  stop(): Promise<void>;
}

export async function startTemporal(): Promise<BenchTemporal> {
  if (!existsSync(temporalCli)) throw new Error(`${temporalCli} is missing: run npm run setup`);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      searchAttributes: Object.keys(SEARCH_ATTRIBUTES).map((name) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)),
      ip: '127.0.0.1',
      // Under load the server logs every slow write as a warning: keep the figures readable.
      log: { format: 'pretty', level: 'error' },
    },
  });
  return { address: env.address, client: env.client, native: env.nativeConnection, stop: () => env.teardown() };
}
