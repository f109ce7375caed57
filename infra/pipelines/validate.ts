// Checks a pipeline definition and turns it into the plan the workflow runs. Pure apart from
// `scriptExists`, which the caller passes in. Every problem is one line naming the task.
import { RUN_PLACEHOLDERS, type PipelineDefinition, type PipelineTask } from '../../pipelines/define';
import type { PipelinePlan, PlannedTask } from '../../workflows/pipeline-plan';

export interface Problem {
  task?: string;
  problem: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TASK_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
const KINDS = new Set(['spark', 'waitForInput', 'check', 'publish', 'catalog']);
const PLACEHOLDER = /\{([^{}]*)\}/g;

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function templatesOf(task: PipelineTask): string[] {
  if (task.kind === 'spark') return task.args ?? [];
  if (task.kind === 'waitForInput') return typeof task.path === 'string' ? [task.path] : Object.values(task.path).filter((p): p is string => typeof p === 'string');
  return [];
}

/** The first cycle found, as task ids in order (first repeated at the end), or undefined. */
export function findCycle(tasks: { id: string; dependsOn: string[] }[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue;
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const t of tasks) {
    const cycle = visit(t.id);
    if (cycle) return cycle;
  }
  return undefined;
}

export function validatePipeline(def: PipelineDefinition, scriptExists: (script: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  if (typeof def.name !== 'string' || !NAME.test(def.name)) problems.push({ problem: `name ${JSON.stringify(def.name)} must be kebab-case, like "songs-etl"` });
  if (!Array.isArray(def.tasks) || def.tasks.length === 0) return [...problems, { problem: 'has no tasks' }];
  const params = Object.keys(def.params ?? {});
  const known = new Set<string>([...RUN_PLACEHOLDERS, ...params]);
  const seen = new Set<string>();
  for (const task of def.tasks) {
    const at = { task: String(task.id) };
    if (typeof task.id !== 'string' || !TASK_ID.test(task.id)) problems.push({ ...at, problem: 'id must start with a letter and hold only letters, digits, - and _' });
    if (seen.has(task.id)) problems.push({ ...at, problem: 'duplicate task id' });
    seen.add(task.id);
    if (!KINDS.has(task.kind)) {
      problems.push({ ...at, problem: `unknown kind ${JSON.stringify(task.kind)} (spark, waitForInput, check, publish or catalog)` });
      continue;
    }
    if (task.kind === 'spark' && (typeof task.script !== 'string' || !scriptExists(task.script)))
      problems.push({ ...at, problem: `script spark-jobs/${String(task.script)} does not exist` });
    if (task.kind === 'check' && typeof task.check !== 'function') problems.push({ ...at, problem: 'check must be a function returning the problems found' });
    if (task.kind === 'spark' && task.retries !== undefined && !(Number.isInteger(task.retries) && task.retries >= 0 && task.retries <= 10))
      problems.push({ ...at, problem: `retries must be an integer from 0 to 10, got ${JSON.stringify(task.retries)}` });
    for (const name of templatesOf(task).flatMap(placeholdersIn)) {
      if (!known.has(name)) problems.push({ ...at, problem: `unknown placeholder {${name}} (known: ${[...known].map((k) => `{${k}}`).join(' ')})` });
    }
  }
  const ids = new Set(def.tasks.map((t) => t.id));
  for (const task of def.tasks) {
    for (const dep of task.dependsOn ?? []) {
      if (!ids.has(dep)) problems.push({ task: task.id, problem: `depends on "${dep}", which is not a task of this pipeline` });
    }
  }
  const cycle = findCycle(def.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn ?? [] })));
  if (cycle) problems.push({ task: cycle[0], problem: `dependency cycle: ${cycle.join(' -> ')}` });
  const reporting = def.tasks.filter((t) => t.kind === 'spark' && t.report);
  if (reporting.length > 1) problems.push({ task: reporting[1]!.id, problem: `only one spark task may write the run report (${reporting.map((t) => t.id).join(', ')} do)` });
  const needsReport = def.tasks.filter((t) => t.kind === 'check' || t.kind === 'publish');
  if (needsReport.length > 0 && reporting.length === 0)
    problems.push({ task: needsReport[0]!.id, problem: `a ${needsReport[0]!.kind} task needs a spark task with report: true` });
  const budget = def.maxRunUsd;
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0)) problems.push({ problem: `maxRunUsd must be a number of USD greater than 0, got ${JSON.stringify(budget)}` });
  const sc = def.cluster?.stepConcurrency;
  if (sc !== undefined && !(Number.isInteger(sc) && sc >= 1 && sc <= 256)) problems.push({ problem: `cluster.stepConcurrency must be an integer from 1 to 256, got ${JSON.stringify(sc)}` });
  return problems;
}

/** Problems between pipelines: duplicate names, `after` naming no pipeline, cycles through `after`. */
export function validateRegistry(defs: { file: string; def: PipelineDefinition }[]): { file: string; problem: Problem }[] {
  const out: { file: string; problem: Problem }[] = [];
  const byName = new Map<string, string>();
  for (const { file, def } of defs) {
    const other = byName.get(def.name);
    if (other) out.push({ file, problem: { problem: `pipeline name "${def.name}" is already used by ${other}` } });
    byName.set(def.name, file);
  }
  for (const { file, def } of defs) {
    for (const up of def.after ?? []) {
      if (!byName.has(up)) out.push({ file, problem: { problem: `after "${up}": no such pipeline (known: ${[...byName.keys()].join(', ')})` } });
    }
  }
  const cycle = findCycle(defs.map(({ def }) => ({ id: def.name, dependsOn: def.after ?? [] })));
  if (cycle) out.push({ file: byName.get(cycle[0]!)!, problem: { problem: `pipelines run after each other in a cycle: ${cycle.join(' -> ')}` } });
  return out;
}

/** The widest set of spark tasks that may run at once, approximated by depth in the DAG. */
function widestSparkLevel(tasks: PlannedTask[]): number {
  const depth = new Map<string, number>();
  const depthOf = (t: PlannedTask): number => {
    const known = depth.get(t.id);
    if (known !== undefined) return known;
    const d = Math.max(0, ...t.dependsOn.map((id) => depthOf(tasks.find((x) => x.id === id)!) + 1));
    depth.set(t.id, d);
    return d;
  };
  const perLevel = new Map<number, number>();
  for (const t of tasks) if (t.kind === 'spark') perLevel.set(depthOf(t), (perLevel.get(depthOf(t)) ?? 0) + 1);
  return Math.max(1, ...perLevel.values());
}

function planTask(task: PipelineTask): PlannedTask {
  const base = { id: task.id, dependsOn: [...(task.dependsOn ?? [])] };
  switch (task.kind) {
    case 'spark':
      return { ...base, kind: 'spark', script: task.script, args: [...(task.args ?? [])], retries: task.retries ?? 0, report: task.report ?? false };
    case 'waitForInput':
      return {
        ...base, kind: 'waitForInput',
        path: typeof task.path === 'string' ? { daily: task.path, full: task.path } : { ...task.path },
        timeoutMinutes: task.timeoutMinutes ?? 360, pollSeconds: task.pollSeconds ?? 60,
      };
    case 'check':
      return { ...base, kind: 'check', description: task.description };
    case 'publish':
      return { ...base, kind: 'publish' };
    case 'catalog':
      return { ...base, kind: 'catalog', tables: [...task.tables] };
  }
}

/** A valid definition as the workflow's plan. */
export function toPlan(def: PipelineDefinition, file: string, all: PipelineDefinition[]): PipelinePlan {
  const tasks = def.tasks.map(planTask);
  return {
    name: def.name,
    description: def.description,
    file,
    tasks,
    dependants: all.filter((d) => d.after?.includes(def.name)).map((d) => d.name),
    after: [...(def.after ?? [])],
    params: { ...def.params },
    stepConcurrency: def.cluster?.stepConcurrency ?? widestSparkLevel(tasks),
    schedule: def.schedule && { ...def.schedule, overlap: def.schedule.overlap ?? 'buffer-all' },
    ...(def.maxRunUsd !== undefined && { maxRunUsd: def.maxRunUsd }),
  };
}
