// The Python side of the setup: .venv is exactly requirements.lock, which uv compiles (with every
// distribution's hash) from the two input files that keep the ranges. Plain Node with no
// dependencies: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The input files (ranges, comments, holds) and the lock compiled from them. */
export const PY_INPUTS = ['spark-jobs/requirements.in', 'requirements-dev.in'];
export const PY_LOCK = 'requirements.lock';
/** The oldest Python the lock resolves for (the lock is universal: markers cover newer ones and other OSes). */
export const PY_LOCK_MIN_PYTHON = '3.10';

/**
 * What the lock records of its inputs: a hash of their text. Comments count too, which is harmless
 * (re-locking after a comment edit changes nothing but this line) and keeps the rule simple.
 */
export function inputsHash(root) {
  const h = createHash('sha256');
  for (const f of PY_INPUTS) h.update(f).update('\0').update(readFileSync(join(root, f), 'utf8').replace(/\r\n/g, '\n')).update('\0');
  return h.digest('hex');
}

const HASH_LINE = /^# inputs-sha256: ([0-9a-f]{64})$/m;

export function lockHeader(root) {
  return [
    `# ${PY_LOCK}: every Python package the setup installs into .venv, exact versions and hashes.`,
    `# Compiled by uv from ${PY_INPUTS.join(' and ')}; do not edit by hand.`,
    '# After editing an input: `npm run deps:lock`. To take the newest versions the ranges allow: `npm run deps:upgrade`.',
    `# inputs-sha256: ${inputsHash(root)}`,
    '',
  ].join('\n');
}

/** null when the lock was compiled from the inputs as they are now, else the one line that says what to do. */
export function lockMismatch(root) {
  if (!existsSync(join(root, PY_LOCK))) return `${PY_LOCK} is missing; run \`npm run deps:lock\` to compile it from ${PY_INPUTS.join(' and ')}`;
  const m = HASH_LINE.exec(readFileSync(join(root, PY_LOCK), 'utf8'));
  if (m && m[1] === inputsHash(root)) return null;
  return `${PY_LOCK} does not match ${PY_INPUTS.join(' and ')} (one was edited without the other); run \`npm run deps:lock\` to re-lock, then commit both`;
}

/** A distribution's name as PEP 503 compares it (Foo_Bar.baz and foo-bar-baz are one package). */
export const normalizeName = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** `name==version` for every package the lock pins (markers may pin one name twice, for two Pythons). */
export function lockedVersions(text) {
  const out = new Map();
  for (const m of text.matchAll(/^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)/gm)) {
    const name = normalizeName(m[1]);
    out.set(name, out.has(name) && out.get(name) !== m[2] ? `${out.get(name)}|${m[2]}` : m[2]);
  }
  return out;
}

/**
 * pip's report of a hash mismatch, as one line naming the package; null when the output has none.
 * pip checks every hash before it installs anything, so a mismatch leaves .venv as it was.
 */
export function hashMismatchLine(pipOutput) {
  if (!/DO NOT MATCH THE HASHES/.test(pipOutput)) return null;
  const m = /^\s*(\S+==\S+) from (\S+?):?(?: \(from [^\n]*)?$[\s\S]*?Expected sha256 ([0-9a-f]+)[\s\S]*?Got\s+([0-9a-f]+)/m.exec(pipOutput);
  if (!m) return `a package from the registry does not match its hash in ${PY_LOCK}; nothing was installed (pip: ${pipOutput.trim().split('\n').slice(-3).join(' ')})`;
  return `${m[1]} from the registry (${m[2]}) has sha256 ${m[4]}, but ${PY_LOCK} expects ${m[3]}; nothing was installed`;
}

/**
 * Installs the lock into an existing venv with hash checking, then removes what the lock does not
 * name, so the venv equals the lock whatever was there before. Returns null or a one-line error.
 */
export function installLock(root, venv, { quiet = false } = {}) {
  const python = join(venv, 'bin', 'python');
  const r = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--require-hashes', '--no-deps', '-r', join(root, PY_LOCK)], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error) return `pip could not run in ${venv}: ${r.error.message}`;
  if (r.status !== 0) {
    const mismatch = hashMismatchLine(output);
    if (mismatch) return mismatch;
    process.stderr.write(`${output.split('\n').slice(-40).join('\n')}\n`);
    return `installing ${PY_LOCK} into .venv failed (pip exit ${r.status}); pip's last lines are above`;
  }
  if (!quiet) process.stderr.write(output.split('\n').filter((l) => /^Successfully installed/.test(l)).join('\n') + '\n');
  return removeUnlocked(root, python);
}

function removeUnlocked(root, python) {
  const locked = lockedVersions(readFileSync(join(root, PY_LOCK), 'utf8'));
  const r = spawnSync(python, ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], { encoding: 'utf8' });
  if (r.status !== 0) return `listing .venv's packages failed: ${r.stderr}`;
  // pip and setuptools come with the venv itself; everything else must be in the lock.
  const keep = new Set(['pip', 'setuptools', 'wheel']);
  const extra = JSON.parse(r.stdout)
    .map((p) => normalizeName(p.name))
    .filter((n) => !keep.has(n) && !locked.has(n));
  if (extra.length === 0) return null;
  const u = spawnSync(python, ['-m', 'pip', 'uninstall', '--yes', '--disable-pip-version-check', ...extra], { encoding: 'utf8' });
  return u.status === 0 ? null : `removing packages the lock no longer names (${extra.join(', ')}) failed: ${u.stderr}`;
}
