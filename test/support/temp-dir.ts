// A fresh directory under the temp dir, removed when the current test finishes (passed or
// failed). Called outside a test (in beforeAll), it is left to the global teardown, which
// removes the whole temp dir of the run (test/support/global-setup.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // not inside a test
  }
  return dir;
}
