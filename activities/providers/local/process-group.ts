// Starting a step as its own process group that outlives the worker, and stopping it again.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The wrapper shell, run in the step's directory as its process-group leader:
 * 1. writes its own pid to `pid` first, so a worker that dies before recording the pid in
 *    step.json still leaves a way to find (and stop) the step;
 * 2. does not start the command if the step was cancelled before it got going (`cancelled`
 *    exists: terminateCluster raced addStep), recording exit status 130 instead;
 * 3. records the command's exit status in `exit_code` (written atomically) when it ends.
 */
const WRAPPER = [
  'echo $$ > pid.tmp && mv pid.tmp pid',
  'if [ -e cancelled ]; then echo 130 > exit_code.tmp && mv exit_code.tmp exit_code; exit 130; fi',
  '"$@"; echo $? > exit_code.tmp && mv exit_code.tmp exit_code',
].join('\n');

/**
 * Runs `command` detached in `dir` (see WRAPPER); stdout/stderr go to stdout.log/stderr.log there.
 */
export function spawnStep(dir: string, command: string[], env: NodeJS.ProcessEnv = process.env): number {
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const err = openSync(join(dir, 'stderr.log'), 'a');
  try {
    const child = spawn(
      '/bin/sh',
      ['-c', WRAPPER, 'emrflow-step', ...command],
      { cwd: dir, env, detached: true, stdio: ['ignore', out, err] },
    );
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command[0]}`);
    return child.pid;
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]; undefined off Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process's start time (clock ticks after boot, /proc/<pid>/stat field 22); undefined off Linux. */
export function processStartTicks(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/**
 * True only when `pid` is still the step's own wrapper process: alive, started at `startTicks`
 * when that was recorded, and running in the step's directory. After a reboot (or once the pid
 * is reused) a recorded pid can belong to an unrelated process: it is never signalled then.
 * Off Linux (no /proc) only liveness can be checked.
 */
export function isStepProcess(pid: number, stepDir: string, startTicks?: string): boolean {
  if (!isAlive(pid)) return false;
  const stat = procStat(pid);
  if (stat === undefined) return true;
  if (startTicks !== undefined && stat[19] !== startTicks) return false;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(stepDir);
  } catch {
    return false;
  }
}

/**
 * True while the process exists and is not a zombie. (A zombie whose parent, the old worker, is
 * gone may never be reaped in a container whose init does not reap: it is dead all the same.)
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procStat(pid)?.[0] !== 'Z';
}

/** True while any non-zombie process of the group is left. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  return pids.some((p) => {
    const stat = procStat(Number(p));
    return stat !== undefined && stat[2] === String(pgid) && stat[0] !== 'Z';
  });
}

/** SIGTERM to the whole group, SIGKILL to whatever is left after `graceMs`. */
export async function killGroup(pgid: number, graceMs = 5_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) signal('SIGKILL');
}
