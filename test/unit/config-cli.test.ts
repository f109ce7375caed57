// The same bad-config table as config.test.ts, through the real CLI: `emrflow --config <file>
// clusters list` (a command that needs nothing else) prints exactly one line and exits 2.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { BAD_CONFIG_CASES } from './config-cases';

function emrflowWithConfig(text: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-cfg-cli-'));
  const file = join(dir, 'dl.cfg');
  writeFileSync(file, text);
  chmodSync(file, 0o600);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), '--config', file, 'clusters', 'list'], {
      cwd: dir, env: { ...process.env, EMRFLOW_CONFIG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
