// Worker processes a fault test can SIGKILL: the real `emrflow worker` CLI, or the held worker
// (test/support/held-worker.ts) that stops at one activity. Both read EMRFLOW_* from the env.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../infra/paths';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL, then wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (the worker drains and exits), for the end of a test. */
  stop(): Promise<void>;
}

function start(args: string[], env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, args, {
    cwd: mkdtempSync(join(tmpdir(), 'emrflow-fault-worker-')),
    env: { ...process.env, EMRFLOW_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(s);
    await gone;
  };
  return { child, output: () => output, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/** `emrflow worker --no-sync-schedules`, exactly as an operator starts it. */
export function cliWorker(env: Record<string, string>): WorkerProcess {
  return start([join(repoRoot, 'infra/bin/emrflow.mjs'), 'worker', '--no-sync-schedules'], env);
}

/** The worker held at `hold` ("createCluster:after"); resolves once it is held there. */
export async function heldWorker(env: Record<string, string>, hold: string, timeoutMs = 120_000): Promise<WorkerProcess> {
  const marker = join(mkdtempSync(join(tmpdir(), 'emrflow-held-')), 'held');
  const w = start(['--import', pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(repoRoot, 'test/support/held-worker.ts')],
    { ...env, EMRFLOW_TEST_HOLD: hold, EMRFLOW_TEST_HELD_MARKER: marker });
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(marker)) {
    if (w.child.exitCode !== null) throw new Error(`held worker exited with ${w.child.exitCode}:\n${w.output()}`);
    if (Date.now() > deadline) {
      await w.kill();
      throw new Error(`worker never reached ${hold} within ${timeoutMs} ms:\n${w.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return w;
}
