// A worker process as `emrflow worker` builds it, with the Spark job replaced by a test script
// (test/support/held-worker.ts without a hold). `ready` resolves once it polls.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../infra/paths';
import type { WorkerProcess } from '../../faults/helpers/worker-process';
import { testTempDir } from '../../support/temp-dir';

export function cliLikeWorker(env: Record<string, string>, jobScript: string): Pick<WorkerProcess, 'child' | 'output' | 'kill' | 'stop'> & { ready: Promise<void> } {
  // Its working directory goes when the process exits, or at the latest when the test ends.
  const cwd = testTempDir('emrflow-ops-worker-');
  const child = spawn(process.execPath, [
    '--import', pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(repoRoot, 'test/support/held-worker.ts'),
  ], {
    cwd,
    env: { ...process.env, EMRFLOW_CONFIG: '', ...env, EMRFLOW_TEST_JOB_SCRIPT: jobScript },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => { resolveReady = r; });
  child.stdout.on('data', (d) => { output += d; if (output.includes('worker polling task queue')) resolveReady(); });
  child.stderr.on('data', (d) => (output += d));
  const gone = new Promise<void>((resolve) => child.once('exit', () => {
    rmSync(cwd, { recursive: true, force: true });
    resolve();
  }));
  const signal = async (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(s);
    await gone;
  };
  return { child, ready, output: () => output, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
