// The same bad-config table as config.test.ts, through the real CLI: `emrflow --config <file>
// clusters list` (a command that needs nothing else) prints exactly one line and exits 2.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../support/temp-dir';
import { expect, test } from 'vitest';
import { emrflow } from '../support/cli-process';
import { BAD_CONFIG_CASES } from './config-cases';

function emrflowWithConfig(text: string) {
  const dir = testTempDir('emrflow-cfg-cli-');
  const file = join(dir, 'dl.cfg');
  writeFileSync(file, text, { mode: 0o600 });
  return emrflow(['--config', file, 'clusters', 'list']);
}

// One process per case (~1 s of tsx each); concurrent cases overlap their start-up waits.
test.concurrent.each(BAD_CONFIG_CASES)('%s: one line, exit 2', async (_name, text, expected) => {
  const r = await emrflowWithConfig(text);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^emrflow: /);
  expect(lines[0]).toMatch(expected);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
});
