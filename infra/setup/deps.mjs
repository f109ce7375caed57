#!/usr/bin/env node
// `npm run deps:lock`: re-compile requirements.lock after an input file changed, keeping every
// version that still fits (uv reads the old lock as its preference).
// `npm run deps:upgrade`: re-resolve every lock, Python and npm, to the newest versions the ranges
// allow, install them, and print what moved. A bad upgrade is held back in the input file (Python)
// or package.json (npm) with a pin and a comment naming the upstream problem; README, "Upgrading".
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PY_INPUTS, PY_LOCK, PY_LOCK_MIN_PYTHON, lockHeader, lockedVersions } from './python-lock.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mode = process.argv[2];
if (mode !== 'lock' && mode !== 'upgrade') {
  process.stderr.write('usage: node infra/setup/deps.mjs lock|upgrade\n');
  process.exit(2);
}

function run(cmd, args, what) {
  process.stderr.write(`emrflow deps: ${what} …\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) {
    process.stderr.write(`emrflow deps: ${what} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}\n`);
    process.exit(1);
  }
}

/** uv lives in .venv (it is in the lock itself); the setup puts it there. */
function uv() {
  const bin = join(root, '.venv', 'bin', 'uv');
  if (!existsSync(bin)) run('node', ['infra/bootstrap.mjs'], 'setting up .venv first (uv comes from it)');
  return bin;
}

function compilePythonLock(upgrade) {
  const before = existsSync(join(root, PY_LOCK)) ? readFileSync(join(root, PY_LOCK), 'utf8') : '';
  run(uv(), ['pip', 'compile', '--universal', '--python-version', PY_LOCK_MIN_PYTHON, '--generate-hashes',
    '--no-header', '--quiet', ...(upgrade ? ['--upgrade'] : []), ...PY_INPUTS, '-o', PY_LOCK],
  upgrade ? `re-resolving ${PY_LOCK} to the newest allowed versions` : `compiling ${PY_LOCK}`);
  const body = readFileSync(join(root, PY_LOCK), 'utf8');
  writeFileSync(join(root, PY_LOCK), lockHeader(root) + body);
  return diff(lockedVersions(before), lockedVersions(body));
}

function npmVersions() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const out = new Map();
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    if (!path) continue;
    out.set(path.replace(/^node_modules\//, ''), info.version);
  }
  return out;
}

function diff(before, after) {
  const lines = [];
  for (const [name, v] of after) {
    if (!before.has(name)) lines.push(`  + ${name} ${v}`);
    else if (before.get(name) !== v) lines.push(`  ${name} ${before.get(name)} -> ${v}`);
  }
  for (const [name, v] of before) if (!after.has(name)) lines.push(`  - ${name} ${v}`);
  return lines;
}

const pyChanges = compilePythonLock(mode === 'upgrade');
let npmChanges = [];
if (mode === 'upgrade') {
  const before = npmVersions();
  // Within package.json's ranges; package.json itself is not rewritten.
  run('npm', ['update', '--no-audit', '--no-fund'], 're-resolving package-lock.json to the newest allowed versions');
  npmChanges = diff(before, npmVersions());
}
run('node', ['infra/bootstrap.mjs'], 'installing what the locks now say');

const print = (title, lines) => process.stdout.write(`${title}: ${lines.length ? `${lines.length} changed\n${lines.join('\n')}` : 'unchanged'}\n`);
print(`Python (${PY_LOCK})`, pyChanges);
if (mode === 'upgrade') print('npm (package-lock.json)', npmChanges);
process.stdout.write('Next: run `npm test`. If an upgrade breaks it, hold that package back with a pin and a comment naming '
  + 'the upstream problem (README, "Upgrading dependencies"), re-run this command, and commit the locks.\n');
