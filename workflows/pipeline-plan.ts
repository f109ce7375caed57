// A pipeline as the workflow receives it: the definition resolved by the worker into plain JSON
// (check functions stay on the worker; the workflow names them by task id). Recorded in the
// run's history, so a definition edited while a run is in flight does not change that run.

export type PlannedTask = { id: string; dependsOn: string[] } & (
  | { kind: 'spark'; script: string; args: string[]; retries: number; report: boolean }
  | { kind: 'waitForInput'; path: { daily?: string; full?: string }; timeoutMinutes: number; pollSeconds: number }
  | { kind: 'check'; description: string }
  | { kind: 'publish' }
  | { kind: 'catalog'; tables: string[] }
);

export interface PlannedSchedule {
  dailyTime?: string;
  timeZone?: string;
  catchupWindowHours?: number;
  overlap: 'buffer-all' | 'buffer-one' | 'skip';
}

export interface PipelinePlan {
  name: string;
  description: string;
  /** The definition's file, relative to the repository, for messages. */
  file: string;
  tasks: PlannedTask[];
  /** Pipelines whose `after` names this one: started when a run of this one succeeds. */
  dependants: string[];
  after: string[];
  params: Record<string, string>;
  stepConcurrency: number;
  schedule?: PlannedSchedule;
  /** The pipeline's own budget per run (USD); absent: [cost] max_run_usd, if set. */
  maxRunUsd?: number;
}

/** The only task kind that runs on the cluster: the cluster lives while one of them remains. */
export const runsOnCluster = (task: PlannedTask): boolean => task.kind === 'spark';
