// On-disk layout of the local provider, so a restarted worker finds its clusters and steps:
//   <state_dir>/clusters/<clusterId>/cluster.json
//   <state_dir>/clusters/<clusterId>/steps/<stepId>/{step.json,stdout.log,stderr.log,exit_code}
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../../fs-atomic';

export interface LocalCluster {
  clusterId: string;
  name: string;
  state: 'WAITING' | 'TERMINATED';
  tags: Record<string, string>;
  createdAt: string;
  endedAt?: string;
  terminationProtected: boolean;
}

export interface LocalStep {
  stepId: string;
  name: string;
  command: string[];
  createdAt: string;
  /** Process-group leader (the wrapper shell), once spawned. The wrapper also writes it to `pid`. */
  pid?: number;
  /** The wrapper's start time (/proc/<pid>/stat), so a reused pid is never taken for it. */
  pidStartTicks?: string;
  startedAt?: string;
  /** Set before the process group is killed: cancelled by request or by cluster termination. */
  cancelled?: { at: string; reason: string };
}

export const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class LocalState {
  constructor(readonly stateDir: string) {}

  get clustersDir(): string { return join(this.stateDir, 'clusters'); }
  clusterDir(clusterId: string): string { return join(this.clustersDir, clusterId); }
  stepsDir(clusterId: string): string { return join(this.clusterDir(clusterId), 'steps'); }
  stepDir(clusterId: string, stepId: string): string { return join(this.stepsDir(clusterId), stepId); }

  readCluster(clusterId: string): Promise<LocalCluster | undefined> {
    return readJsonIfExists<LocalCluster>(join(this.clusterDir(clusterId), 'cluster.json'));
  }

  writeCluster(cluster: LocalCluster): Promise<void> {
    return writeJsonAtomic(join(this.clusterDir(cluster.clusterId), 'cluster.json'), cluster);
  }

  readStep(clusterId: string, stepId: string): Promise<LocalStep | undefined> {
    return readJsonIfExists<LocalStep>(join(this.stepDir(clusterId, stepId), 'step.json'));
  }

  writeStep(clusterId: string, step: LocalStep): Promise<void> {
    return writeJsonAtomic(join(this.stepDir(clusterId, step.stepId), 'step.json'), step);
  }

  async listClusterIds(): Promise<string[]> {
    return (await readdir(this.clustersDir).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  }

  async listStepIds(clusterId: string): Promise<string[]> {
    return (await readdir(this.stepsDir(clusterId)).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  }

  /**
   * Creates directory `target` holding `file` = value, atomically: built aside, then renamed.
   * Returns false when `target` already exists (someone else claimed it first).
   */
  async claimDir(target: string, file: string, value: unknown): Promise<boolean> {
    const parent = join(target, '..');
    await mkdir(parent, { recursive: true });
    const tmp = join(parent, `.tmp-${randomUUID()}`);
    await mkdir(tmp);
    await writeJsonAtomic(join(tmp, file), value);
    try {
      await rename(tmp, target);
      return true;
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw e;
    }
  }
}
