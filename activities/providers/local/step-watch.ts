// Noticing a local step's end the moment it happens: the wrapper shell renames exit_code into
// the step's directory when spark-submit exits, and cancellation rewrites step.json. Watching
// the directory (inotify) lets waitForStep poll again at once instead of sleeping out the poll
// interval. State stays on disk, so a worker started after a restart watches the same files.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

const WAKE_ON = new Set(['exit_code', 'step.json']);

/**
 * Resolves when exit_code or step.json is written in `dir` (or exit_code is already there), or
 * when `signal` aborts. If the directory cannot be watched it simply waits for the abort: the
 * caller's poll interval still applies.
 */
export function untilStepFileChanges(dir: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = () => {
      watcher?.close();
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
    try {
      // Not persistent: a pending watch must never keep the worker process alive.
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && WAKE_ON.has(name.toString())) done();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      return;
    }
    // The step may have ended between the caller's last look and the watch being set up.
    if (existsSync(join(dir, 'exit_code'))) done();
  });
}
