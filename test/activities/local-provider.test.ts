// The local provider's process handling and on-disk state, with plain Python steps (no Spark).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DIED_WITH_WORKER, sparkEnvironment, stepEnvironment } from '../../activities/providers/local/local-provider';
import { isAlive } from '../../activities/providers/local/process-group';
import { fixture, plainPythonProvider, python, run, tempStateDir, until } from './local-helpers';

const finished = (p: ReturnType<typeof plainPythonProvider>, clusterId: string, stepId: string) =>
  until('step to finish', async () => {
    const s = await p.describeStep(clusterId, stepId);
    return s.state === 'RUNNING' || s.state === 'PENDING' ? undefined : s;
  });

describe('local provider', () => {
  it('creates one tagged cluster per run and adopts it on retry', async () => {
    const p = plainPythonProvider(tempStateDir(), { extraTags: { team: 'data' } });
    const r = run('wf-create');
    const first = await p.createCluster(r);
    const again = await p.createCluster(r);
    expect(first).toMatchObject({ name: 'emrflow-wf-create', adopted: false });
    expect(again).toMatchObject({ clusterId: first.clusterId, adopted: true });
    const [listed] = await p.listClusters({});
    expect(listed?.tags).toEqual({
      team: 'data', 'emrflow:managed': 'true', 'emrflow:deployment': 'local', 'emrflow:workflow-id': 'wf-create',
      'emrflow:run-id': r.runId, 'emrflow:pipeline': 'songs-etl',
    });
    expect(listed).toMatchObject({ clusterId: first.clusterId, managed: true, ownerWorkflowId: 'wf-create' });
  });

  it('reports its usage as wall time since create, fixed once terminated (nothing is billed locally)', async () => {
    const p = plainPythonProvider(tempStateDir());
    const { clusterId } = await p.createCluster(run('wf-usage'));
    await new Promise((r) => setTimeout(r, 300));
    const alive = await p.usage(clusterId);
    expect(alive.kind === 'local' && alive.wallSeconds).toBeGreaterThanOrEqual(0.3);
    const { terminatedAt } = await p.terminateCluster(clusterId);
    const ended = await p.usage(clusterId);
    const [listed] = await p.listClusters({ all: true });
    expect(ended).toEqual({ kind: 'local', wallSeconds: (Date.parse(terminatedAt!) - Date.parse(listed!.createdAt)) / 1000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await p.usage(clusterId)).toEqual(ended);
  });

  it('runs a step once per name and records its exit on disk', async () => {
    const p = plainPythonProvider(tempStateDir());
    const { clusterId } = await p.createCluster(run());
    const req = { clusterId, stepName: 'songs-etl:wf', scriptUri: fixture('plain.py'), args: ['--mode', 'full'] };
    const step = await p.addStep(req);
    const again = await p.addStep(req);
    expect(again).toEqual({ ...step, reused: true });
    expect(await finished(p, clusterId, step.stepId)).toMatchObject({ state: 'COMPLETED', name: 'songs-etl:wf' });
  });

  it('reports a failing step with the tail of its stderr', async () => {
    const p = plainPythonProvider(tempStateDir());
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('plain.py'), args: ['--exit', '3'] });
    expect(await finished(p, clusterId, stepId)).toMatchObject({ state: 'FAILED', reason: 'spark-submit exited with code 3' });
    const logs = await p.stepLogs(clusterId, stepId);
    expect(logs.found).toBe(true);
    expect(logs.stderrTail).toContain('ValueError: plain fixture failed with code 3');
  });

  it('cancelling a step kills its whole process group', async () => {
    const p = plainPythonProvider(tempStateDir());
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('sleep.py'), args: [] });
    const pidsFile = join(tempStateDirOf(p), 'clusters', clusterId, 'steps', stepId, 'pids');
    const pids = await until('pids', async () => (existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number) : undefined));
    expect((await p.describeStep(clusterId, stepId)).state).toBe('RUNNING');
    await p.cancelStep(clusterId, stepId);
    expect(await p.describeStep(clusterId, stepId)).toMatchObject({ state: 'CANCELLED', reason: 'cancelled by request' });
    await until('processes to exit', async () => (pids.some(isAlive) ? undefined : true), 5_000);
  });

  it('terminate stops running steps, is idempotent, and hides the cluster from the active list', async () => {
    const p = plainPythonProvider(tempStateDir());
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('sleep.py'), args: [] });
    expect((await p.describeCluster(clusterId)).state).toBe('RUNNING');
    expect(await p.terminateCluster(clusterId)).toMatchObject({ clusterId, action: 'terminated' });
    expect(await p.terminateCluster(clusterId)).toMatchObject({ clusterId, action: 'already-gone' });
    expect(await p.terminateCluster('local-never-existed')).toMatchObject({ action: 'already-gone' });
    expect((await p.describeStep(clusterId, stepId)).state).toBe('CANCELLED');
    expect(await p.describeCluster(clusterId)).toMatchObject({ state: 'TERMINATED', ended: true });
    expect(await p.listClusters({})).toEqual([]);
    expect((await p.listClusters({ all: true })).map((c) => c.clusterId)).toEqual([clusterId]);
    await expect(p.addStep({ clusterId, stepName: 'late', scriptUri: fixture('plain.py'), args: [] })).rejects.toThrow(/terminated/);
  });

  it('a step\'s Spark scratch lives under its cluster, and terminate removes it even when the driver was killed', async () => {
    const stateDir = tempStateDir();
    const p = plainPythonProvider(stateDir);
    const { clusterId } = await p.createCluster(run());
    await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('scratch_then_sleep.py'), args: [] });
    const scratch = join(stateDir, 'clusters', clusterId, 'scratch');
    await until('the step to write its scratch', async () => (existsSync(join(scratch, 'blockmgr-test', 'shuffle_0_0.data')) ? true : undefined));
    await p.terminateCluster(clusterId);
    expect(existsSync(scratch)).toBe(false);
  });

  it('a restarted worker finds its cluster and step; a step whose process vanished is FAILED, not RUNNING', async () => {
    const dir = tempStateDir();
    const before = plainPythonProvider(dir);
    const r = run();
    const { clusterId } = await before.createCluster(r);
    const { stepId } = await before.addStep({ clusterId, stepName: 'songs-etl:x', scriptUri: fixture('plain.py'), args: [] });
    await finished(before, clusterId, stepId);

    const after = plainPythonProvider(dir);
    expect(await after.createCluster(r)).toMatchObject({ clusterId, adopted: true });
    expect(await after.addStep({ clusterId, stepName: 'songs-etl:x', scriptUri: fixture('plain.py'), args: [] }))
      .toEqual({ clusterId, stepId, reused: true });
    expect((await after.describeStep(clusterId, stepId)).state).toBe('COMPLETED');

    // A step whose wrapper was killed with the worker (SIGKILL: no exit code recorded).
    const { stepId: lost } = await after.addStep({ clusterId, stepName: 'lost', scriptUri: fixture('sleep.py'), args: [] });
    const stepJson = join(dir, 'clusters', clusterId, 'steps', lost, 'step.json');
    const { pid } = JSON.parse(readFileSync(stepJson, 'utf8')) as { pid: number };
    process.kill(-pid, 'SIGKILL');
    await until('wrapper to die', async () => (isAlive(pid) ? undefined : true), 5_000);
    const restarted = plainPythonProvider(dir);
    expect(await restarted.describeStep(clusterId, lost)).toMatchObject({ state: 'FAILED', reason: DIED_WITH_WORKER });

    // A step the worker claimed but never started.
    writeFileSync(stepJson, JSON.stringify({ stepId: lost, name: 'lost', command: [], createdAt: '2020-01-01T00:00:00Z' }));
    expect(await restarted.describeStep(clusterId, lost)).toMatchObject({ state: 'FAILED', reason: DIED_WITH_WORKER });
  });

  it('item 3: an orphan local step (the worker died between claiming it and recording its pid) is still tracked and stopped', async () => {
    const dir = tempStateDir();
    const p = plainPythonProvider(dir, { spawnGraceMs: 200 });
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('sleep.py'), args: [] });
    const stepDir = join(dir, 'clusters', clusterId, 'steps', stepId);
    const pids = await until('pids', async () => (existsSync(join(stepDir, 'pids')) ? readFileSync(join(stepDir, 'pids'), 'utf8').trim().split(' ').map(Number) : undefined));
    // What a crash right after the spawn leaves: step.json as claimed, without the pid.
    const step = JSON.parse(readFileSync(join(stepDir, 'step.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(stepDir, 'step.json'), JSON.stringify({ ...step, pid: undefined, pidStartTicks: undefined, startedAt: undefined }));
    await new Promise((r) => setTimeout(r, 400)); // past the spawn grace
    const restarted = plainPythonProvider(dir, { spawnGraceMs: 200 });
    expect((await restarted.describeStep(clusterId, stepId)).state, 'a running step is not declared dead').toBe('RUNNING');
    expect(await restarted.terminateCluster(clusterId)).toMatchObject({ action: 'terminated' });
    await until('the orphan\'s processes to be stopped', async () => (pids.some(isAlive) ? undefined : true), 10_000);
  });

  it('item 3: a recorded pid that now belongs to an unrelated process (reboot, pid reuse) is never signalled', async () => {
    const dir = tempStateDir();
    const p = plainPythonProvider(dir);
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: fixture('plain.py'), args: [] });
    await finished(p, clusterId, stepId);
    const stepDir = join(dir, 'clusters', clusterId, 'steps', stepId);
    // An unrelated process group, as after a reboot; the step's records name it and no exit code is left.
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    onTestFinished(() => { try { process.kill(-stranger.pid!, 'SIGKILL'); } catch { /* gone */ } });
    const step = JSON.parse(readFileSync(join(stepDir, 'step.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(stepDir, 'step.json'), JSON.stringify({ ...step, pid: stranger.pid, pidStartTicks: undefined }));
    writeFileSync(join(stepDir, 'pid'), `${stranger.pid}\n`);
    rmSync(join(stepDir, 'exit_code'));
    expect(await p.describeStep(clusterId, stepId)).toMatchObject({ state: 'FAILED', reason: DIED_WITH_WORKER });
    await p.cancelStep(clusterId, stepId);
    expect(await p.terminateCluster(clusterId)).toMatchObject({ action: 'terminated' });
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(stranger.pid!), 'the unrelated process was signalled').toBe(true);
  });

  it('item 4: a cluster terminated while addStep runs (a cancel during addStep) never gets a running step', async () => {
    const dir = tempStateDir();
    // The cancel lands exactly between addStep's check of the cluster and its spawn.
    const p: ReturnType<typeof plainPythonProvider> = plainPythonProvider(dir, {
      onStepClaimed: async (clusterId) => { await p.terminateCluster(clusterId); },
    });
    const { clusterId } = await p.createCluster(run());
    await expect(p.addStep({ clusterId, stepName: 's', scriptUri: fixture('sleep.py'), args: [] })).rejects.toThrow(/terminated/);
    const [stepId] = readdirSync(join(dir, 'clusters', clusterId, 'steps'));
    expect(await p.describeStep(clusterId, stepId!)).toMatchObject({ state: 'CANCELLED' });
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(join(dir, 'clusters', clusterId, 'steps', stepId!, 'pids')), 'the step process started').toBe(false);
  });

  it('item 5: a local step sees none of emrflow\'s secrets, only what Spark needs', async () => {
    const dir = tempStateDir();
    const secrets = { EMRFLOW_AWS_SECRET_ACCESS_KEY: 'sk-should-not-leak', EMRFLOW_TEMPORAL_API_KEY: 'tk-should-not-leak' };
    Object.assign(process.env, secrets);
    onTestFinished(() => { for (const k of Object.keys(secrets)) delete process.env[k]; });
    const p = plainPythonProvider(dir, { env: sparkEnvironment(python) });
    const script = join(dir, 'env.py');
    writeFileSync(script, 'import os\nprint("\\n".join(f"{k}={v}" for k, v in os.environ.items()))\n');
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: script, args: [] });
    expect(await finished(p, clusterId, stepId)).toMatchObject({ state: 'COMPLETED' });
    const seen = readFileSync(join(dir, 'clusters', clusterId, 'steps', stepId, 'stdout.log'), 'utf8');
    expect(seen).not.toContain('should-not-leak');
    expect(seen).not.toMatch(/^EMRFLOW_/m);
    expect(seen).toMatch(/^PATH=/m);
    expect(seen).toMatch(/^PYSPARK_PYTHON=/m);
    expect(stepEnvironment({ PATH: '/bin', EMRFLOW_TEMPORAL_API_KEY: 'x', JAVA_HOME: '/j', RANDOM_TOKEN: 'y' })).toEqual({ PATH: '/bin', JAVA_HOME: '/j' });
  });

  it('watchStep wakes the moment the step exits, long before the next poll', async () => {
    const dir = tempStateDir();
    const p = plainPythonProvider(dir, { pollSeconds: 3600 });
    const script = join(dir, 'short.py');
    writeFileSync(script, 'import time\ntime.sleep(1)\n');
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: script, args: [] });
    expect((await p.describeStep(clusterId, stepId)).state).toBe('RUNNING');
    const started = Date.now();
    await p.watchStep!(clusterId, stepId, new AbortController().signal);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await p.describeStep(clusterId, stepId)).state).toBe('COMPLETED');
    // A step that has already ended: no event will come, the watch returns at once.
    await p.watchStep!(clusterId, stepId, new AbortController().signal);
  });

  it('an aborted watch returns while the step still runs; watchSteps=false means plain polling', async () => {
    const dir = tempStateDir();
    const p = plainPythonProvider(dir);
    const script = join(dir, 'short.py');
    writeFileSync(script, 'import time\ntime.sleep(2)\n');
    const { clusterId } = await p.createCluster(run());
    const { stepId } = await p.addStep({ clusterId, stepName: 's', scriptUri: script, args: [] });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    await p.watchStep!(clusterId, stepId, stop.signal);
    expect((await p.describeStep(clusterId, stepId)).state).toBe('RUNNING');
    await p.cancelStep(clusterId, stepId);
    expect(plainPythonProvider(dir, { watchSteps: false }).watchStep).toBeUndefined();
  });

  it('stages the job script once under its content hash', async () => {
    const dir = tempStateDir();
    const p = plainPythonProvider(dir);
    const script = join(dir, 'etl.py');
    writeFileSync(script, 'print("v1")\n');
    const a = await p.stageJob(script);
    expect(a.scriptUri).toBe(join(dir, 'code', a.contentHash, 'etl.py'));
    expect(readFileSync(a.scriptUri, 'utf8')).toBe('print("v1")\n');
    expect(await p.stageJob(script)).toEqual(a);
    writeFileSync(script, 'print("v2")\n');
    const b = await p.stageJob(script);
    expect(b.contentHash).not.toBe(a.contentHash);
    await expect(p.stageJob(join(dir, 'missing.py'))).rejects.toThrow(/cannot read the job script/);
  });
});

function tempStateDirOf(p: ReturnType<typeof plainPythonProvider>): string {
  return (p as unknown as { options: { stateDir: string } }).options.stateDir;
}
