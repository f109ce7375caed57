#!/usr/bin/env node
// `npm test`: setup, typecheck, lint, vitest, pytest, one after the other, stopping at the first
// that fails (as `&&` would), then one line with the time each took: the suite must stay inside
// CI's budget, and this says where the time goes (vitest also prints its time per folder).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const phases = [
  ['setup', 'node', ['infra/bootstrap.mjs', '--browser']],
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['vitest', 'npm', ['run', '--silent', 'test:ts']],
  ['pytest', 'npm', ['run', '--silent', 'test:py']],
];

const fmt = (ms) => `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
const took = [];
const started = Date.now();
let status = 0;
for (const [name, cmd, args] of phases) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  took.push(`${name} ${fmt(Date.now() - t0)}`);
  status = r.status ?? 1;
  if (status !== 0) {
    took.push(`(${name} failed, exit ${status}; later phases not run)`);
    break;
  }
}
process.stdout.write(`\nnpm test: ${took.join(', ')}; total ${fmt(Date.now() - started)}\n`);
process.exit(status);
