// The same bad-config table as config.test.ts, through the real CLI: `emrflow --config <file>
// clusters list` (a command that needs nothing else) prints exactly one line and exits 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { emrflow } from '../support/cli-process';
import { BAD_CONFIG_CASES } from './config-cases';

// A directory per case, removed when that case ends. Concurrent cases must use their own test
// context's onTestFinished: the global one attaches to whichever test is current, which removed
// one case's dl.cfg while another case's process was reading it ("configuration file not found").
function emrflowWithConfig(text: string, onTestFinished: (fn: () => void) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-cfg-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'dl.cfg');
  writeFileSync(file, text, { mode: 0o600 });
  return emrflow(['--config', file, 'clusters', 'list']);
}

// One process per case (~1 s of tsx each); concurrent cases overlap their start-up waits.
test.concurrent.for(BAD_CONFIG_CASES)('%s: one line, exit 2', async ([, text, expected], { expect, onTestFinished }) => {
  const r = await emrflowWithConfig(text, onTestFinished);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^emrflow: /);
  expect(lines[0]).toMatch(expected);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
});
