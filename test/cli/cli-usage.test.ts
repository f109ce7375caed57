// The CLI as a user meets it: help, one-line errors and exit codes (real processes).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { testTempDir } from '../support/temp-dir';

function emrflow(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), ...args], {
    encoding: 'utf8',
    cwd: testTempDir('emrflow-cli-'),
    env: { ...process.env, EMRFLOW_CONFIG: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('emrflow CLI', () => {
  test('a broken config: one line naming the bad key, exit 2', () => {
    const dir = testTempDir('emrflow-broken-');
    const cfg = join(dir, 'broken.cfg');
    writeFileSync(cfg, '[emr]\ncore_instance_count = three\n');
    const r = emrflow(['--config', cfg, 'worker']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`emrflow: ${cfg}: [emr] core_instance_count: expected a whole number, got "three"`]);
  });

  test('bad arguments: one line, exit 2', () => {
    const date = emrflow(['run', '--date', '2018-02-30']);
    expect(date.code).toBe(2);
    expect(date.stderr.trim()).toBe('emrflow: --date 2018-02-30: expected a calendar date YYYY-MM-DD');
    const mode = emrflow(['run', '--mode', 'weekly']);
    expect(mode.code).toBe(2);
    expect(mode.stderr.trim()).toBe('emrflow: --mode weekly: expected full or daily');
    expect(emrflow(['launch']).code).toBe(2);
  });

  test('--help on every command, exit 0', () => {
    for (const cmd of [[], ['server'], ['worker'], ['dev'], ['run'], ['start']]) {
      const r = emrflow([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: emrflow/);
    }
  });
});
