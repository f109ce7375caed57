// The local "cluster": a directory of state under <state_dir>/clusters, and each step a detached
// spark-submit process group whose exit status lands on disk. No AWS account needed.
import type { ResourceUsage } from '../../cost/usage';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type {
  ClusterRef, ClusterSummary, RunIdentity, StagedJob, StepLogs, StepRef, StepRequest, TerminateResult,
} from '../../../workflows/shared';
import { readJsonIfExists, readTextIfExists, writeJsonAtomic } from '../../fs-atomic';
import {
  clusterName, clusterTags, summarise, tailLines, TAG,
  type ClusterProvider, type ClusterStatus, type StepStatus,
} from '../cluster-provider';
import { LocalState, shortHash, type LocalCluster, type LocalStep } from './local-state';
import { isStepProcess, killGroup, processStartTicks, spawnStep } from './process-group';
import { untilStepFileChanges } from './step-watch';

export interface LocalProviderOptions {
  stateDir: string;
  pollSeconds: number;
  extraTags?: Record<string, string>;
  /** This deployment (infra/config/deployment.ts), tagged on every cluster; default 'local'. */
  deployment?: string;
  /** The command a step runs: by default spark-submit with the configured master and memory. */
  submitCommand: (scriptUri: string, args: string[]) => string[];
  /** Environment of step processes (default: stepEnvironment() of the worker's: no secrets). */
  env?: NodeJS.ProcessEnv;
  /** Test seam: runs after a step's directory is claimed and before its process starts. */
  onStepClaimed?: (clusterId: string, stepId: string) => Promise<void>;
  /** Grace between SIGTERM and SIGKILL when a step is stopped. */
  killGraceMs?: number;
  /** A step with no process and no exit code after this long is declared dead. */
  spawnGraceMs?: number;
  /** Wake waitForStep when a step's files change instead of only polling (default true). */
  watchSteps?: boolean;
}

export const DIED_WITH_WORKER = 'step process died with the worker';

/**
 * What a step process may see of the worker's environment: what Spark, Java, Python and the
 * AWS SDK (for s3:// lakes) read, and nothing of emrflow's own settings: EMRFLOW_* carries
 * secrets (EMRFLOW_AWS_SECRET_ACCESS_KEY, EMRFLOW_TEMPORAL_API_KEY) a Spark job has no use for.
 */
const STEP_ENV = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TEMP|TMP|JAVA_HOME|JAVA_TOOL_OPTIONS|SPARK_\w+|PYSPARK_\w+|HADOOP_\w+|PYTHONPATH|PYTHONHASHSEED|VIRTUAL_ENV|AWS_\w+)$/;

export function stepEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).filter(([k, v]) => v !== undefined && STEP_ENV.test(k) && !k.startsWith('EMRFLOW_')));
}

/** spark-submit from the virtualenv finds its Spark and runs PySpark with the virtualenv's Python. */
export function sparkEnvironment(venvPython: string, worker: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const base = stepEnvironment(worker);
  return {
    ...base,
    PATH: `${dirname(venvPython)}${delimiter}${base.PATH ?? ''}`,
    PYSPARK_PYTHON: venvPython,
    PYSPARK_DRIVER_PYTHON: venvPython,
    // The local "cluster" serves nothing to the network: Spark's driver and UI stay on loopback.
    SPARK_LOCAL_IP: base.SPARK_LOCAL_IP ?? '127.0.0.1',
    // The JVM ignores TMPDIR: give it the same temp dir as everything else (native libraries it
    // unpacks, shuffle files), so a step's scratch goes where the operator (or the tests) said.
    ...(base.TMPDIR && !base.SPARK_SUBMIT_OPTS && { SPARK_SUBMIT_OPTS: `-Djava.io.tmpdir=${base.TMPDIR}` }),
  };
}

/** extraArgs: spark-submit options for local runs (infra/local-spark.ts: JARs and settings). */
export function sparkSubmitCommand(sparkSubmit: string, master: string, driverMemory: string, extraArgs: string[] = []) {
  return (scriptUri: string, args: string[]): string[] =>
    [sparkSubmit, '--master', master, '--driver-memory', driverMemory, ...extraArgs, scriptUri, ...args];
}

export class LocalProvider implements ClusterProvider {
  readonly kind = 'local' as const;
  readonly pollSeconds: number;
  /** Set unless watchSteps is false: the poll interval then only bounds how late a missed event is seen. */
  readonly watchStep?: (clusterId: string, stepId: string, signal: AbortSignal) => Promise<void>;
  readonly deployment: string;
  private readonly state: LocalState;

  constructor(private readonly options: LocalProviderOptions) {
    this.state = new LocalState(options.stateDir);
    this.deployment = options.deployment ?? 'local';
    this.pollSeconds = options.pollSeconds;
    if (options.watchSteps !== false)
      this.watchStep = (clusterId, stepId, signal) => untilStepFileChanges(this.state.stepDir(clusterId, stepId), signal);
  }

  async stageJob(scriptPath: string): Promise<StagedJob> {
    const body = await readFile(scriptPath).catch((e: Error) => {
      throw new Error(`cannot read the job script ${scriptPath}: ${e.message}`);
    });
    const contentHash = createHash('sha256').update(body).digest('hex');
    const dir = join(this.options.stateDir, 'code', contentHash);
    const scriptUri = join(dir, 'etl.py');
    if (!existsSync(scriptUri)) {
      await mkdir(dir, { recursive: true });
      const tmp = `${scriptUri}.tmp-${process.pid}`;
      await copyFile(scriptPath, tmp);
      await rename(tmp, scriptUri);
    }
    return { scriptUri, contentHash };
  }

  async createCluster(run: RunIdentity): Promise<ClusterRef> {
    const base = `local-${shortHash(`${run.workflowId}\n${run.runId}`)}`;
    for (let n = 1; ; n += 1) {
      const clusterId = n === 1 ? base : `${base}-${n}`;
      const existing = await this.state.readCluster(clusterId);
      if (existing) {
        if (existing.state !== 'TERMINATED')
          return { clusterId, name: existing.name, adopted: true, createdAt: existing.createdAt };
        continue;
      }
      const cluster: LocalCluster = {
        clusterId,
        name: clusterName(run.workflowId),
        state: 'WAITING',
        tags: clusterTags(run, this.deployment, this.options.extraTags),
        createdAt: new Date().toISOString(),
        terminationProtected: false,
      };
      if (await this.state.claimDir(this.state.clusterDir(clusterId), 'cluster.json', cluster))
        return { clusterId, name: cluster.name, adopted: false, createdAt: cluster.createdAt };
      n -= 1; // someone claimed it between our read and our claim: look again
    }
  }

  async addStep(request: StepRequest): Promise<StepRef> {
    const cluster = await this.requireCluster(request.clusterId);
    if (cluster.state === 'TERMINATED') throw new Error(`cluster ${cluster.clusterId} is terminated; cannot add a step`);
    const stepId = `s-${shortHash(request.stepName)}`;
    const step: LocalStep = {
      stepId,
      name: request.stepName,
      command: this.options.submitCommand(request.scriptUri, request.args),
      createdAt: new Date().toISOString(),
    };
    const dir = this.state.stepDir(cluster.clusterId, stepId);
    if (!(await this.state.claimDir(dir, 'step.json', step)))
      return { clusterId: cluster.clusterId, stepId, reused: true };
    await this.options.onStepClaimed?.(cluster.clusterId, stepId);
    // terminateCluster marks the cluster TERMINATED before it stops the steps it finds: looking
    // again now (the step's directory exists, so a terminate from here on finds it and leaves
    // `cancelled`, which the wrapper checks before it starts anything) closes the race.
    if ((await this.state.readCluster(cluster.clusterId))?.state === 'TERMINATED') {
      await this.markCancelled(cluster.clusterId, step, 'cluster terminated before the step started');
      throw new Error(`cluster ${cluster.clusterId} was terminated while the step was being added; it was not started`);
    }
    // Spark's scratch (block manager and shuffle dirs) lives with the cluster, not in the shared
    // temp dir: a driver killed by a cancel or a crash cannot clean it up, and terminateCluster
    // removes it as EMR discards an instance's disks.
    const scratch = this.scratchDir(cluster.clusterId);
    await mkdir(scratch, { recursive: true });
    const pid = spawnStep(dir, step.command, { ...(this.options.env ?? stepEnvironment()), SPARK_LOCAL_DIRS: scratch });
    const current = (await this.state.readStep(cluster.clusterId, stepId)) ?? step;
    await this.state.writeStep(cluster.clusterId, { ...current, pid, pidStartTicks: processStartTicks(pid), startedAt: new Date().toISOString() });
    return { clusterId: cluster.clusterId, stepId, reused: false };
  }

  async describeStep(clusterId: string, stepId: string): Promise<StepStatus> {
    const step = await this.state.readStep(clusterId, stepId);
    if (!step) throw new Error(`step ${stepId} not found on local cluster ${clusterId}`);
    const base = { stepId, name: step.name, startedAt: step.startedAt };
    const cancelled = step.cancelled ?? await this.cancelMarker(clusterId, stepId);
    const exit = await this.exitCode(clusterId, stepId);
    if (exit !== undefined) {
      const endedAt = await this.exitTime(clusterId, stepId);
      if (exit === 0) return { ...base, state: 'COMPLETED', endedAt };
      if (cancelled) return { ...base, state: 'CANCELLED', reason: cancelled.reason, endedAt };
      return { ...base, state: 'FAILED', reason: `spark-submit exited with code ${exit}`, endedAt };
    }
    if (cancelled) return { ...base, state: 'CANCELLED', reason: cancelled.reason, endedAt: cancelled.at };
    const proc = await this.stepProcess(clusterId, step);
    if (proc === undefined) {
      const age = Date.now() - Date.parse(step.createdAt);
      if (age < (this.options.spawnGraceMs ?? 60_000)) return { ...base, state: 'PENDING' };
      return { ...base, state: 'FAILED', reason: DIED_WITH_WORKER };
    }
    if (isStepProcess(proc.pid, this.state.stepDir(clusterId, stepId), proc.startTicks)) return { ...base, state: 'RUNNING' };
    // The wrapper may have written exit_code between our two looks.
    const late = await this.exitCode(clusterId, stepId);
    if (late !== undefined) return this.describeStep(clusterId, stepId);
    return { ...base, state: 'FAILED', reason: DIED_WITH_WORKER };
  }

  async describeCluster(clusterId: string): Promise<ClusterStatus> {
    const cluster = await this.state.readCluster(clusterId);
    if (!cluster) return { clusterId, state: 'TERMINATED', ended: true, reason: 'no such local cluster' };
    if (cluster.state === 'TERMINATED') return { clusterId, state: cluster.state, ended: true, reason: 'terminated' };
    const running = await this.runningSteps(clusterId);
    return { clusterId, state: running.length > 0 ? 'RUNNING' : 'WAITING', ended: false };
  }

  async cancelStep(clusterId: string, stepId: string): Promise<void> {
    await this.stopStep(clusterId, stepId, 'cancelled by request');
  }

  /** SPARK_LOCAL_DIRS of the cluster's steps. */
  private scratchDir(clusterId: string): string { return join(this.state.clusterDir(clusterId), 'scratch'); }

  async terminateCluster(clusterId: string): Promise<TerminateResult> {
    const cluster = await this.state.readCluster(clusterId);
    if (!cluster || cluster.state === 'TERMINATED')
      return { clusterId, action: 'already-gone', terminatedAt: cluster?.endedAt };
    if (cluster.terminationProtected) return { clusterId, action: 'protected' };
    // TERMINATED first, then stop every step found: an addStep racing this either sees the
    // state when it looks again after claiming its step, or its step is found and stopped here.
    const endedAt = new Date().toISOString();
    await this.state.writeCluster({ ...cluster, state: 'TERMINATED', endedAt });
    for (const stepId of await this.state.listStepIds(clusterId))
      await this.stopStep(clusterId, stepId, 'cluster terminated');
    // A stopped driver may still be exiting: retry a dir that is not empty yet; scratch that
    // cannot be removed must not turn a successful terminate into a failure.
    await rm(this.scratchDir(clusterId), { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined);
    return { clusterId, action: 'terminated', terminatedAt: endedAt };
  }

  /** Wall time from create to terminate (or to now): nothing is billed, but the run's time is shown. */
  async usage(clusterId: string): Promise<ResourceUsage> {
    const cluster = await this.requireCluster(clusterId);
    const end = cluster.endedAt ? Date.parse(cluster.endedAt) : Date.now();
    return { kind: 'local', wallSeconds: Math.max(0, (end - Date.parse(cluster.createdAt)) / 1000) };
  }

  async listClusters(options: { all?: boolean }): Promise<ClusterSummary[]> {
    const out: ClusterSummary[] = [];
    for (const id of await this.state.listClusterIds()) {
      const cluster = await this.state.readCluster(id);
      if (!cluster || cluster.tags[TAG.managed] !== 'true') continue;
      const status = await this.describeCluster(id);
      if (!options.all && status.ended) continue;
      out.push(summarise({
        clusterId: id, name: cluster.name, state: status.state, createdAt: cluster.createdAt,
        terminationProtected: cluster.terminationProtected, tags: cluster.tags,
      }, this.deployment));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async stepLogs(clusterId: string, stepId: string): Promise<StepLogs> {
    const dir = this.state.stepDir(clusterId, stepId);
    const stderr = (await readTextIfExists(join(dir, 'stderr.log'))) ?? '';
    // spark-submit merges the Python driver's stderr into its own stdout: the traceback is there.
    const stdout = (await readTextIfExists(join(dir, 'stdout.log'))) ?? '';
    // From the last traceback on, or else the job's own one-line error ("etl.py: error: …").
    const at = stdout.lastIndexOf('Traceback (most recent call last)');
    const errorLines = stdout.split('\n').filter((l) => /^\S+: error: /.test(l));
    const traceback = at >= 0 ? stdout.slice(at).trim() : errorLines.slice(-3).join('\n');
    if (stderr.trim() === '' && traceback === '')
      return { found: false, stderrTail: `step ${stepId} on ${clusterId} wrote no stderr` };
    const tail = tailLines([stderr.trim(), traceback].filter(Boolean).join('\n'));
    return { found: true, stderrTail: tail };
  }

  private async requireCluster(clusterId: string): Promise<LocalCluster> {
    const cluster = await this.state.readCluster(clusterId);
    if (!cluster) throw new Error(`local cluster ${clusterId} not found under ${this.state.clustersDir}`);
    return cluster;
  }

  private async runningSteps(clusterId: string): Promise<string[]> {
    const running: string[] = [];
    for (const stepId of await this.state.listStepIds(clusterId)) {
      const s = await this.describeStep(clusterId, stepId).catch(() => undefined);
      if (s && (s.state === 'RUNNING' || s.state === 'PENDING')) running.push(stepId);
    }
    return running;
  }

  private async stopStep(clusterId: string, stepId: string, reason: string): Promise<void> {
    const status = await this.describeStep(clusterId, stepId);
    if (status.state !== 'RUNNING' && status.state !== 'PENDING') return;
    const step = (await this.state.readStep(clusterId, stepId))!;
    await this.markCancelled(clusterId, step, reason);
    // The pid is read after `cancelled` exists: a wrapper not yet seen here sees `cancelled`.
    const proc = await this.stepProcess(clusterId, (await this.state.readStep(clusterId, stepId)) ?? step);
    if (proc && isStepProcess(proc.pid, this.state.stepDir(clusterId, stepId), proc.startTicks))
      await killGroup(proc.pid, this.options.killGraceMs);
  }

  /** `cancelled` (the wrapper's marker, never overwritten) and step.json's cancelled field. */
  private async markCancelled(clusterId: string, step: LocalStep, reason: string): Promise<void> {
    const cancelled = { at: new Date().toISOString(), reason };
    await writeJsonAtomic(join(this.state.stepDir(clusterId, step.stepId), 'cancelled'), cancelled);
    await this.state.writeStep(clusterId, { ...step, cancelled });
  }

  private cancelMarker(clusterId: string, stepId: string): Promise<LocalStep['cancelled']> {
    return readJsonIfExists<NonNullable<LocalStep['cancelled']>>(join(this.state.stepDir(clusterId, stepId), 'cancelled'));
  }

  /**
   * The step's wrapper process: as recorded in step.json, or else from the `pid` file the wrapper
   * writes itself (the worker died before recording it). Identity is checked by the caller.
   */
  private async stepProcess(clusterId: string, step: LocalStep): Promise<{ pid: number; startTicks?: string } | undefined> {
    if (step.pid !== undefined) return { pid: step.pid, startTicks: step.pidStartTicks };
    const text = await readTextIfExists(join(this.state.stepDir(clusterId, step.stepId), 'pid'));
    const pid = Number(text?.trim());
    return Number.isInteger(pid) && pid > 0 ? { pid } : undefined;
  }

  private async exitCode(clusterId: string, stepId: string): Promise<number | undefined> {
    const text = await readTextIfExists(join(this.state.stepDir(clusterId, stepId), 'exit_code'));
    if (text === undefined || text.trim() === '') return undefined;
    return Number(text.trim());
  }

  private async exitTime(clusterId: string, stepId: string): Promise<string | undefined> {
    const s = await stat(join(this.state.stepDir(clusterId, stepId), 'exit_code')).catch(() => undefined);
    return s?.mtime.toISOString();
  }
}
