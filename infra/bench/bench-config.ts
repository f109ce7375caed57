// The configuration a benchmark runs with: emrflow's defaults, pointed at the benchmark's own
// Temporal server, a task queue of its own and a temporary directory for all state.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, type EmrflowConfig } from '../config';

export function benchConfig(address: string, dir: string, overrides: Record<string, string> = {}): EmrflowConfig {
  // The run's preflight wants an input directory shaped like the real one (the benchmark jobs read nothing).
  for (const sub of ['song_data', 'log_data']) mkdirSync(join(dir, 'input', sub), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    EMRFLOW_TEMPORAL_ADDRESS: address,
    EMRFLOW_TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
    EMRFLOW_LOCAL_STATE_DIR: join(dir, 'state'),
    EMRFLOW_DATALAKE_INPUT_DATA: join(dir, 'input'),
    EMRFLOW_DATALAKE_OUTPUT_DATA: join(dir, 'lake'),
    ...overrides,
  };
  return loadConfig({ env, cwd: dir, path: undefined }).config;
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `emrflow-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Worker logs at WARN: the figures, not the worker's chatter, are the benchmark's output. */
export function quietWorkerLogs(): void {
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Machine facts printed at the top of each benchmark's output. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.versions.node}, load average ${load}`;
}
