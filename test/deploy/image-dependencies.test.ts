// Issue #26: the worker image serves the emr provider with its production dependencies only and
// no Spark, Java or Python. No Docker engine is needed: this file does what the Dockerfile does,
// reading its COPY, RUN npm ci and ENV lines (test/support/dockerfile.ts) so the two cannot drift.
// The lockfile's production set is installed offline from the npm cache into a temp dir, the
// sources the image copies go next to it (minus .dockerignore), and that copy's `emrflow worker`
// runs with a PATH that holds only node, against the test Temporal server and moto. The test
// plays the Spark step, which moto never runs (as test/aws/songs-etl-emr-catalog.test.ts does).
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { emrClient, glueClient, iamClient, s3Client, stsClient } from '../../activities/aws-clients';
import { bootstrap } from '../../infra/aws/bootstrap';
import { loadConfig } from '../../infra/config';
import { repoRoot } from '../../infra/paths';
import type { SongsEtlSummary } from '../../workflows/shared';
import { copiesOf, copyFromContext, envOf, filesUnder, parseDockerfile, readDockerignore, runsOf, type Copy, type Stage } from '../support/dockerfile';
import { etlArgs, stageLikeEtl } from '../support/etl-staging';
import { stepOf } from '../support/emr-run-lookup';
import { freePort } from '../support/free-port';
import { emrSettings, startMoto, type Moto } from '../support/moto';
import { connectForTest, temporalAddress } from '../support/temporal';
import { testTempDir } from '../support/temp-dir';

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const ignore = readDockerignore(join(repoRoot, '.dockerignore'));
const [deps, runtime] = [dockerfile.stages[0]!, dockerfile.stages[dockerfile.stages.length - 1]!];
const imageEnv = envOf(runtime);

let root: string;
let app: string;
let pathWithOnlyNode: string;

/** Where a path of a stage's file system lands in this test's copy of that stage. */
const inStage = (stageDir: string, stage: Stage, path: string) => join(stageDir, posix.resolve(stage.workdir, path));

/** A COPY from the build context: several sources (or a dest ending in /) go into the dest directory. */
function copyIntoStage(dir: string, stage: Stage, c: Copy): void {
  const dest = inStage(dir, stage, c.dest);
  const intoDir = c.sources.length > 1 || c.dest.endsWith('/');
  mkdirSync(intoDir ? dest : dirname(dest), { recursive: true });
  for (const s of c.sources) copyFromContext(repoRoot, s, intoDir ? join(dest, posix.basename(s)) : dest, ignore);
}

/** The deps stage: its COPYs from the context, then its `npm ci`, offline, from the machine's npm cache. */
function buildDepsStage(dir: string): void {
  for (const c of copiesOf(deps)) copyIntoStage(dir, deps, c);
  const commands = runsOf(deps);
  const ci = commands.filter((c) => c.startsWith('npm ci '));
  expect(ci, 'the deps stage installs with one npm ci').toHaveLength(1);
  // The only other command may be emptying the image's npm cache: not this machine's.
  expect(commands.filter((c) => !c.startsWith('npm ci ')), 'deps stage commands this test does not replay').toEqual(['npm cache clean --force']);
  const [, ...args] = ci[0]!.split(/\s+/);
  execFileSync('npm', [...args, '--offline'], { cwd: inStage(dir, deps, '.'), stdio: 'pipe', timeout: 400_000 });
}

/** The runtime stage: node_modules from the deps stage, the sources from the context. */
function buildRuntimeStage(depsDir: string, dir: string): void {
  for (const c of copiesOf(runtime)) {
    if (c.from !== undefined) {
      expect(c.from, 'the runtime copies only from the deps stage').toBe(deps.name);
      mkdirSync(dirname(inStage(dir, runtime, c.dest)), { recursive: true });
      for (const s of c.sources) renameSync(inStage(depsDir, deps, s), inStage(dir, runtime, c.dest));
      continue;
    }
    copyIntoStage(dir, runtime, c);
  }
}

beforeAll(() => {
  root = testTempDir('emrflow-image-');
  buildDepsStage(join(root, 'deps'));
  buildRuntimeStage(join(root, 'deps'), join(root, 'image'));
  app = inStage(join(root, 'image'), runtime, '.');
  // No python, java or spark-submit to fall back on: only the node binary the image has.
  pathWithOnlyNode = join(root, 'bin');
  mkdirSync(pathWithOnlyNode);
  symlinkSync(process.execPath, join(pathWithOnlyNode, 'node'));
}, 600_000);

test('the image holds the worker\'s sources and production dependencies, and no tests, dev tools, Python environment or local state', () => {
  const files = filesUnder(app).filter((f) => !f.startsWith('node_modules/'));
  expect(files).toContain('infra/bin/emrflow.mjs');
  expect(files).toContain('spark-jobs/etl.py');
  expect(files).toContain('pipelines/songs-etl.ts');
  for (const f of files) expect(f, 'nothing test-only, local or secret').not.toMatch(/^(test|\.venv|\.emrflow|deploy)\/|^spark-jobs\/tests\/|^dl\.cfg$|__pycache__/);
  const modules = (name: string) => existsSync(join(app, 'node_modules', name));
  for (const dev of ['vitest', 'typescript', 'eslint', 'aws-cdk-lib', 'playwright-core']) expect(modules(dev), `${dev} is a dev dependency`).toBe(false);
  for (const prod of ['tsx', '@temporalio/worker', '@aws-sdk/client-emr', '@duckdb/node-api']) expect(modules(prod), prod).toBe(true);
  // The image's Node is the one this suite runs on (same major).
  expect(dockerfile.args.NODE_IMAGE).toMatch(new RegExp(`^node:${process.versions.node.split('.')[0]}\\.`));
});

function startImageWorker(env: Record<string, string>, args = ['--no-sync-schedules']): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const [entry, ...rest] = (JSON.parse(/^ENTRYPOINT\s+(.*)$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))![1]!) as string[]);
  const cmd = JSON.parse(/^CMD\s+(.*)$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))![1]!) as string[];
  expect(entry).toBe('node');
  const home = join(root, `home-${randomUUID()}`);
  mkdirSync(home);
  const child = spawn(join(pathWithOnlyNode, 'node'), [...rest, ...cmd, ...args], {
    cwd: app,
    env: { PATH: pathWithOnlyNode, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...imageEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('started without its config file, the image says so in one line and exits 2', async () => {
  expect(existsSync(imageEnv.EMRFLOW_CONFIG!), `${imageEnv.EMRFLOW_CONFIG} must not exist on the test machine`).toBe(false);
  const w = startImageWorker({}, []);
  expect(await w.exited).toBe(2);
  expect(w.output().trim().split('\n')).toEqual([`emrflow: ${imageEnv.EMRFLOW_CONFIG}: configuration file not found`]);
});

let moto: Moto | undefined;
let conn: Awaited<ReturnType<typeof connectForTest>> | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await conn?.close();
  await moto?.stop();
});


async function getUntil(url: string, ok: (status: number, body: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      last = `${res.status} ${await res.text()}`;
      if (ok(res.status, last)) return last;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url}: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('with only the image\'s dependencies, no .venv and no Python or Java on PATH, the worker reports healthy, serves metrics, completes a songs-etl run on the emr provider and stops on SIGTERM', async () => {
  expect(existsSync(join(app, '.venv'))).toBe(false);
  [moto, conn] = [await startMoto(), await connectForTest()];
  const output = `s3://emrflow-lake/image-${randomUUID().slice(0, 8)}`;
  const [health, metrics] = [await freePort(), await freePort()];
  const env = {
    ...emrSettings(moto.endpoint),
    EMRFLOW_CONFIG: '',
    EMRFLOW_AWS_REGION: 'us-west-2',
    EMRFLOW_DATALAKE_OUTPUT_DATA: output,
    EMRFLOW_EMR_STEP_POLL_SECONDS: '1',
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(),
    EMRFLOW_TEMPORAL_TASK_QUEUE: `image-${randomUUID()}`,
    EMRFLOW_WORKER_HEALTH_PORT: String(health),
    EMRFLOW_WORKER_METRICS_PORT: String(metrics),
  };
  const config = loadConfig({ env, cwd: tmpdir(), path: undefined }).config;
  const s3: S3Client = s3Client(config.aws);
  const emr = emrClient(config.aws);
  // What an administrator does once (or the CDK app): buckets, roles, the Glue database.
  await bootstrap(config, { s3, iam: iamClient(config.aws), sts: stsClient(config.aws), glue: glueClient(config.aws) }, { dryRun: false });
  for (const key of ['in/song_data/A/A/A/TRAAAAW128F429D538.json', 'in/log_data/2018/11/2018-11-09-events.json'])
    await s3.send(new PutObjectCommand({ Bucket: 'emrflow-lake', Key: key, Body: '{}\n' }));

  const worker = startImageWorker(env);
  cleanups.push(async () => { if (worker.child.exitCode === null) { worker.child.kill('SIGKILL'); await worker.exited; } });
  const healthy = await getUntil(`http://127.0.0.1:${health}/health`, (status) => status === 200 || worker.child.exitCode !== null, 180_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${worker.output()}`); });
  expect(healthy, worker.output()).toMatch(/^200 .*"polling":true/);
  expect(JSON.parse(worker.output().split('\n').find((l) => l.includes('worker polling task queue'))!)).toMatchObject({ level: 'INFO' });

  const workflowId = `image-etl-${randomUUID()}`;
  const handle = await conn.client.workflow.start('songsEtl', { taskQueue: env.EMRFLOW_TEMPORAL_TASK_QUEUE, workflowId, args: [{ runDate: '2018-11-09', mode: 'full' }] });
  cleanups.push(async () => { await handle.terminate('test cleanup').catch(() => undefined); });
  const step = await stepOf(emr, workflowId);
  await moto.setStepState(step.clusterId, step.stepId, 'RUNNING');
  const report = await stageLikeEtl(s3, etlArgs(step.args), {
    months: [[2018, 11, 25]], users: 3, songYears: [1999], songs: 1, artists: 1,
    rejected: {}, input: { song_files: 1, log_files: 1, song_records: 1, log_records: 25 },
  });
  await moto.setStepState(step.clusterId, step.stepId, 'COMPLETED');
  const summary = await handle.result() as SongsEtlSummary;
  // The reports pipeline runs after it (its own run, never played here): stop it.
  for (const id of summary.dependantsStarted) await conn.client.workflow.getHandle(id).terminate('test cleanup').catch(() => undefined);
  expect(summary.rows).toEqual(report.rows);
  expect(summary.tasks.map((t) => [t.id, t.state])).toEqual(
    [['input', 'succeeded'], ['etl', 'succeeded'], ['audit', 'succeeded'], ['publish', 'succeeded'], ['catalog', 'succeeded']]);
  const { Clusters = [] } = await emr.send(new ListClustersCommand({}));
  expect(Clusters.filter((c) => c.Name === `emrflow-${workflowId}`).map((c) => c.Status?.State)).toEqual(['TERMINATED']);

  expect(await getUntil(`http://127.0.0.1:${metrics}/metrics`, (status) => status === 200, 10_000)).toContain('temporal_');
  worker.child.kill('SIGTERM');
  expect(await worker.exited, worker.output()).toBe(0);
}, 420_000);
