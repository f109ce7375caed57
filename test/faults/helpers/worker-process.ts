// Worker processes a fault test can SIGKILL or stop: the real `emrflow worker` CLI, or the held
// worker (test/support/held-worker.ts) that stops at one activity. Both read EMRFLOW_* from the env.
// Each runs in a temp directory of its own, removed when the process is gone (and at the latest
// when the test, or for a worker started in beforeAll the file, ends: test/support/temp-dir.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../infra/paths';
import { testTempDir } from '../../support/temp-dir';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGKILL, then wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (the worker drains and exits), for the end of a test. */
  stop(): Promise<void>;
  /** SIGTERM to the worker's whole process group, as a service manager or a terminal's Ctrl-C does. */
  stopGroup(): Promise<void>;
}

function start(args: string[], env: Record<string, string>): WorkerProcess {
  const cwd = testTempDir('emrflow-fault-worker-');
  // Its own process group (as under a service manager), so the test can signal the group.
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, EMRFLOW_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    rmSync(cwd, { recursive: true, force: true });
    resolve();
  }));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signal = async (s: NodeJS.Signals) => {
    if (alive()) child.kill(s);
    await exited;
  };
  const stopGroup = async () => {
    if (alive() && child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  return { child, output: () => output, exited, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM'), stopGroup };
}

/** `emrflow worker --no-sync-schedules`, exactly as an operator starts it. */
export function cliWorker(env: Record<string, string>): WorkerProcess {
  return start([join(repoRoot, 'infra/bin/emrflow.mjs'), 'worker', '--no-sync-schedules'], env);
}

const heldWorkerArgs = () =>
  ['--import', pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(repoRoot, 'test/support/held-worker.ts')];

/**
 * The worker `emrflow worker` runs, with EMRFLOW_TEST_JOB_SCRIPT as its job and nothing held
 * (test/support/held-worker.ts without a hold).
 */
export function jobWorker(env: Record<string, string>): WorkerProcess {
  return start(heldWorkerArgs(), { ...env, EMRFLOW_TEST_HOLD: '' });
}

/** The worker held at `hold` ("createCluster:after"); resolves once it is held there. */
export async function heldWorker(env: Record<string, string>, hold: string, timeoutMs = 120_000): Promise<WorkerProcess> {
  const markerDir = testTempDir('emrflow-held-');
  const marker = join(markerDir, 'held');
  const w = start(heldWorkerArgs(), { ...env, EMRFLOW_TEST_HOLD: hold, EMRFLOW_TEST_HELD_MARKER: marker });
  void w.exited.then(() => rmSync(markerDir, { recursive: true, force: true }));
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
