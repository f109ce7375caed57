// `emrflow start` is the local demo, whatever dl.cfg says: a dl.cfg written for EMR must not turn
// the demo into a paid EMR run, nor make the sample-data generator create a folder literally named
// "s3:" from an s3:// URI. The demo therefore runs on a copy of the config with the local
// provider and the sample data under the state directory; when dl.cfg was not local it also
// uses a task queue of its own (a deployment's EMR worker on the same server must not pick up
// the demo's runs) and leaves the deployment's schedules alone.
import { isAbsolute, join } from 'node:path';
import type { EmrflowConfig } from '../config';
import { UsageError } from '../cli/exit-codes';
import { splitAddress } from '../server/port';

const hasScheme = (p: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(p);

export interface DemoConfig {
  config: EmrflowConfig;
  /** What dl.cfg set that the demo ignores; empty when dl.cfg was already the local demo's. */
  overridden: string[];
}

function isLoopback(address: string): boolean {
  const { host } = splitAddress(address);
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function demoConfig(config: EmrflowConfig): DemoConfig {
  // The demo brings up (or reuses) the embedded dev server on this machine; against a remote
  // Temporal it would start its runs on a real deployment's server.
  if (!isLoopback(config.temporal.address))
    throw new UsageError(`start runs the local demo on the embedded Temporal server, but [temporal] address = ${config.temporal.address} is not this machine; run the demo with: EMRFLOW_TEMPORAL_ADDRESS=127.0.0.1:7233 npx emrflow start`);
  const stateDir = !hasScheme(config.local.state_dir) && isAbsolute(config.local.state_dir)
    ? config.local.state_dir
    : join(config.source.baseDir, '.emrflow');
  const overridden: string[] = [];
  if (config.cluster.provider !== 'local') overridden.push(`[cluster] provider = ${config.cluster.provider}`);
  const input = join(stateDir, 'sample-data');
  const output = join(stateDir, 'lake');
  if (hasScheme(config.datalake.input_data)) overridden.push(`[datalake] input_data = ${config.datalake.input_data}`);
  if (hasScheme(config.datalake.output_data)) overridden.push(`[datalake] output_data = ${config.datalake.output_data}`);
  if (overridden.length === 0) return { config, overridden };
  return {
    overridden,
    config: {
      ...config,
      cluster: { ...config.cluster, provider: 'local' },
      datalake: { ...config.datalake, input_data: input, output_data: output },
      local: { ...config.local, state_dir: stateDir },
      temporal: { ...config.temporal, task_queue: `${config.temporal.task_queue}-demo` },
    },
  };
}

/** The sample data is generated on this machine: only into a plain local path. */
export function assertLocalPath(path: string, what: string): void {
  if (hasScheme(path)) throw new UsageError(`${what} ${path} is not a local path; the sample data is generated on this machine only`);
}
