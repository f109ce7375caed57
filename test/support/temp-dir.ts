// Temp directories that tests remove themselves, also when they fail. The global teardown
// (test/support/global-setup.ts) fails the run if a test leaves anything under the run's temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, TestRunner } from 'vitest';

/** A test context's `onTestFinished` (what concurrent tests must pass). */
export type OnFinished = (fn: () => void) => void;

const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Every directory made here, removed (again) after the file's tests. */
const fileDirs = new Set<string>();

/**
 * A fresh directory under the temp dir. Made inside a test, it is removed when that test finishes
 * (passed or failed); made outside one (beforeAll, module level), when the file's tests are done
 * (test/support/temp-cleanup.ts). A concurrent test must pass its own context's onTestFinished:
 * the imported one attaches to whichever test is current, which may be another one still running.
 */
export function testTempDir(prefix: string, onFinished?: OnFinished): string {
  const test = onFinished ? undefined : TestRunner.getCurrentTest();
  if (test?.concurrent)
    throw new Error(`testTempDir('${prefix}') in concurrent test "${test.name}": pass the test context's onTestFinished`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (onFinished) onFinished(() => remove(dir));
  else if (test) onTestFinished(() => remove(dir));
  // Again at the end of the file: a test that timed out may have left a worker or a Spark step
  // running that wrote into the directory after the test's removal.
  fileDirs.add(dir);
  return dir;
}

/**
 * A directory its maker removes itself (a child process's working directory, when the process
 * exits); should that never happen (a test timed out with the process still running), it goes
 * when the file's tests are done. Fine in concurrent tests: it needs no test context.
 */
export function backstoppedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  fileDirs.add(dir);
  return dir;
}

/** Removes every directory made here while this file ran (an afterAll of every file). */
export function removeFileTempDirs(): void {
  for (const dir of fileDirs) remove(dir);
  fileDirs.clear();
}
