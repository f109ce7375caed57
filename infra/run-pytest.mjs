#!/usr/bin/env node
// Runs the Spark job's pytest suite with the interpreter from .venv (pyspark lives there).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(join(root, '.venv', 'bin', 'pytest'), ['spark-jobs', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PYSPARK_PYTHON: join(root, '.venv', 'bin', 'python') },
});
process.exit(r.status ?? 1);
