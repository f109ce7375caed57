// #22 locked Python dependencies: the setup installs requirements.lock only, refuses a lock that
// its input files have moved away from, and refuses a file whose hash does not match, installing
// nothing. The lock pins every package exactly, with hashes.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot, venvBin } from '../../infra/paths';
import { testTempDir } from '../support/temp-dir';
// @ts-expect-error plain .mjs module (the setup runs before node_modules exists), no types
import { installLock, lockMismatch, lockedVersions, normalizeName, PY_INPUTS, PY_LOCK } from '../../infra/setup/python-lock.mjs';

const lockText = readFileSync(join(repoRoot, PY_LOCK), 'utf8');

test('the committed lock matches its inputs and pins every package to one version with hashes', () => {
  expect(lockMismatch(repoRoot)).toBeNull();
  const entries = lockText.split(/\n(?=[a-z0-9])/i).filter((e: string) => /^[A-Za-z0-9]/.test(e) && !e.startsWith('#'));
  expect(entries.length).toBeGreaterThan(20);
  for (const entry of entries) {
    expect(entry, 'every pin is exact').toMatch(/^[A-Za-z0-9_.[\]-]+==\S+/);
    expect(entry, `${entry.split(' ')[0]} has a hash`).toMatch(/--hash=sha256:[0-9a-f]{64}/);
  }
  // The moto that the tests need is the moto that is locked, not whatever was published today.
  expect(lockedVersions(lockText).get('moto')).toMatch(/^5\./);
});

test('.venv holds exactly what the lock pins', () => {
  const installed = JSON.parse(execFileSync(venvBin('python'), ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], { encoding: 'utf8' })) as { name: string; version: string }[];
  const locked = lockedVersions(lockText) as Map<string, string>;
  const norm = normalizeName as (n: string) => string;
  const differing = installed
    .filter((p) => !['pip', 'setuptools', 'wheel'].includes(norm(p.name)))
    .filter((p) => !locked.get(norm(p.name))?.split('|').includes(p.version))
    .map((p) => `${p.name} ${p.version} (lock: ${locked.get(norm(p.name)) ?? 'absent'})`);
  expect(differing).toEqual([]);
});

test('an input edited without re-locking stops the setup with one line, before it installs anything', () => {
  const root = testTempDir('emrflow-lock-mismatch-');
  mkdirSync(join(root, 'infra', 'setup'), { recursive: true });
  mkdirSync(join(root, 'spark-jobs'), { recursive: true });
  cpSync(join(repoRoot, 'infra', 'bootstrap.mjs'), join(root, 'infra', 'bootstrap.mjs'));
  cpSync(join(repoRoot, 'infra', 'setup', 'python-lock.mjs'), join(root, 'infra', 'setup', 'python-lock.mjs'));
  for (const f of [...PY_INPUTS, PY_LOCK, 'package-lock.json']) cpSync(join(repoRoot, f), join(root, f));
  writeFileSync(join(root, 'requirements-dev.in'), `${readFileSync(join(root, 'requirements-dev.in'), 'utf8')}rich>=13\n`);

  const r = spawnSync(process.execPath, [join(root, 'infra', 'bootstrap.mjs')], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([
    'emrflow setup: requirements.lock does not match spark-jobs/requirements.in and requirements-dev.in (one was edited without the other); run `npm run deps:lock` to re-lock, then commit both',
  ]);
  expect(existsSync(join(root, 'node_modules'))).toBe(false);
  expect(existsSync(join(root, '.venv'))).toBe(false);
});

test('a file whose hash does not match the lock is refused with one line naming it, and nothing is installed', () => {
  const root = testTempDir('emrflow-lock-hash-');
  // A fresh venv without the project's packages; six is small and already in pip's cache.
  execFileSync('python3', ['-m', 'venv', join(root, 'venv')]);
  const six = lockedVersions(lockText).get('six');
  const iniconfig = lockedVersions(lockText).get('iniconfig');
  const good = /^iniconfig==[\s\S]*?(?=\n[a-z])/m.exec(lockText)![0].replace(/\s+#.*$/gm, '');
  writeFileSync(join(root, PY_LOCK), `${good}\nsix==${six} \\\n    --hash=sha256:${'0'.repeat(64)}\n`);

  const problem = installLock(root, join(root, 'venv'), { quiet: true }) as string | null;
  expect(problem).toMatch(new RegExp(`^six==${six.replace(/\./g, '\\.')} from the registry \\(.*\\) has sha256 [0-9a-f]{64}, but requirements\\.lock expects 0{64}; nothing was installed$`));
  // pip checked every hash first: the good package beside it was not installed either.
  const list = execFileSync(join(root, 'venv', 'bin', 'python'), ['-m', 'pip', 'list', '--format=freeze'], { encoding: 'utf8' });
  expect(list).not.toMatch(/^six==/m);
  expect(list).not.toMatch(new RegExp(`^iniconfig==${iniconfig}`, 'm'));
}, 120_000);
