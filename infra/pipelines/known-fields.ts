// The fields a pipeline definition may have, per level, so a misspelled one (`dependOn`) is an
// error with a "did you mean" instead of being ignored. Each list is a Record over the type's
// keys: adding a field to pipelines/define.ts without adding it here does not compile.
import type {
  CatalogTask, CheckTask, PipelineCluster, PipelineDefinition, PipelineSchedule, PublishTask, SparkTask, WaitForInputTask,
} from '../../pipelines/define';
import { didYouMean } from '../config/suggest';
import type { Problem } from './validate';

type Fields<T> = Record<keyof T, true>;

const PIPELINE: Fields<PipelineDefinition> = {
  name: true, description: true, schedule: true, after: true, params: true, cluster: true, maxRunUsd: true,
  deadline: true, deadlineTimeZone: true, tasks: true,
};
const SCHEDULE: Fields<PipelineSchedule> = { dailyTime: true, timeZone: true, catchupWindowHours: true, overlap: true };
const CLUSTER: Fields<PipelineCluster> = { stepConcurrency: true };
const TASK: Record<string, Fields<SparkTask> | Fields<WaitForInputTask> | Fields<CheckTask> | Fields<PublishTask> | Fields<CatalogTask>> = {
  spark: { id: true, kind: true, dependsOn: true, script: true, args: true, retries: true, report: true } satisfies Fields<SparkTask>,
  waitForInput: { id: true, kind: true, dependsOn: true, path: true, timeoutMinutes: true, pollSeconds: true } satisfies Fields<WaitForInputTask>,
  check: { id: true, kind: true, dependsOn: true, description: true, check: true } satisfies Fields<CheckTask>,
  publish: { id: true, kind: true, dependsOn: true } satisfies Fields<PublishTask>,
  catalog: { id: true, kind: true, dependsOn: true, tables: true } satisfies Fields<CatalogTask>,
};
const SENSOR_PATH = ['daily', 'full'];

function unknownIn(value: unknown, known: string[], where: string, task?: string): Problem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => ({ ...(task !== undefined && { task }), problem: `unknown field ${where}${k}${didYouMean(k, known)}` }));
}

/** One problem per field no level of the definition knows. */
export function unknownFields(def: object): Problem[] {
  const d = def as Partial<Record<keyof PipelineDefinition, unknown>>;
  const problems = [
    ...unknownIn(def, Object.keys(PIPELINE), ''),
    ...unknownIn(d.schedule, Object.keys(SCHEDULE), 'schedule.'),
    ...unknownIn(d.cluster, Object.keys(CLUSTER), 'cluster.'),
  ];
  for (const task of Array.isArray(d.tasks) ? (d.tasks as unknown[]) : []) {
    if (typeof task !== 'object' || task === null) continue;
    const t = task as { id?: unknown; kind?: unknown; path?: unknown };
    const fields = TASK[String(t.kind)];
    // An unknown kind is its own problem (validate.ts); its fields cannot be judged.
    if (!fields) continue;
    problems.push(...unknownIn(task, Object.keys(fields), '', String(t.id)));
    if (t.kind === 'waitForInput') problems.push(...unknownIn(t.path, SENSOR_PATH, 'path.', String(t.id)));
  }
  return problems;
}
