// What the local provider needs on this machine: the input data, a writable place for the
// output, spark-submit in the virtualenv and a Java runtime for Spark.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightCheck } from '../../workflows/shared';

export interface LocalCheckOptions {
  sparkSubmit: string;
  env?: NodeJS.ProcessEnv;
}

const SETUP_FIX = 'run `npm run setup` (creates .venv with pyspark)';

export async function localChecks(config: EmrflowConfig, options: LocalCheckOptions): Promise<PreflightCheck[]> {
  return Promise.all([
    inputCheck(config.datalake.input_data),
    outputCheck(config.datalake.output_data),
    executableCheck('spark-submit', options.sparkSubmit, SETUP_FIX),
    javaCheck(options.env ?? process.env),
  ]);
}

// The config allows only local paths and file:// URIs with the local provider.
const localPath = (location: string): string => (location.startsWith('file://') ? fileURLToPath(location) : location);
const isDir = (path: string): Promise<boolean> => stat(path).then((s) => s.isDirectory(), () => false);
const canAccess = (path: string, mode: number): Promise<boolean> => access(path, mode).then(() => true, () => false);

async function inputCheck(location: string): Promise<PreflightCheck> {
  const name = `input ${location}`;
  const dir = localPath(location);
  const fix = 'run `npm start` to generate the sample data, or point [datalake] input_data in dl.cfg at a directory with song_data/ and log_data/';
  if (!(await isDir(dir))) return { name, ok: false, detail: 'does not exist', fix };
  const missing = [];
  for (const sub of ['song_data', 'log_data']) if (!(await isDir(join(dir, sub)))) missing.push(`${sub}/`);
  if (missing.length) return { name, ok: false, detail: `has no ${missing.join(' or ')}`, fix };
  return { name, ok: true, detail: 'has song_data/ and log_data/' };
}

async function outputCheck(location: string): Promise<PreflightCheck> {
  const name = `output ${location}`;
  // The job creates the directory and its parents: the nearest one that exists must be writable.
  let dir = localPath(location);
  while (!(await canAccess(dir, constants.F_OK)) && dirname(dir) !== dir) dir = dirname(dir);
  if (!(await isDir(dir))) return { name, ok: false, detail: `${dir} is not a directory`, fix: 'point [datalake] output_data in dl.cfg at a directory' };
  if (!(await canAccess(dir, constants.W_OK))) {
    return { name, ok: false, detail: `${dir} is not writable`, fix: `make ${dir} writable, or point [datalake] output_data in dl.cfg elsewhere` };
  }
  return { name, ok: true, detail: dir === localPath(location) ? 'exists and is writable' : `will be created under ${dir} (writable)` };
}

async function executableCheck(name: string, path: string, fix: string): Promise<PreflightCheck> {
  if (await canAccess(path, constants.X_OK)) return { name, ok: true, detail: path };
  return { name, ok: false, detail: `${path} is missing`, fix };
}

/** Spark's launcher uses $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH. */
async function javaCheck(env: NodeJS.ProcessEnv): Promise<PreflightCheck> {
  const fix = 'install a Java 17 runtime (e.g. `apt-get install openjdk-17-jre-headless`) and put java on PATH';
  if (env.JAVA_HOME) {
    const java = join(env.JAVA_HOME, 'bin', 'java');
    if (await canAccess(java, constants.X_OK)) return { name: 'java', ok: true, detail: java };
    return { name: 'java', ok: false, detail: `JAVA_HOME is ${env.JAVA_HOME} but ${java} is missing`, fix: 'point JAVA_HOME at a Java 17 installation, or unset it' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const java = join(dir, 'java');
    if (await canAccess(java, constants.X_OK)) return { name: 'java', ok: true, detail: java };
  }
  return { name: 'java', ok: false, detail: 'no java on PATH', fix };
}
