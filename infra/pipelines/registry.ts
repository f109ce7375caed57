// Loads every pipeline in pipelines/ (one file each, `export default definePipeline(...)`),
// validates them together, and keeps their plans and check functions for the worker and CLI.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPipeline, type Pipeline, type PipelineDefinition } from '../../pipelines/define';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { repoRoot } from '../paths';
import { toPlan, validatePipeline, validateRegistry } from './validate';

/** pipelines/ of this checkout; EMRFLOW_PIPELINES_DIR points elsewhere (a deployment's own folder, tests). */
export const pipelinesDir = process.env.EMRFLOW_PIPELINES_DIR || join(repoRoot, 'pipelines');
export const sparkJobsDir = join(repoRoot, 'spark-jobs');

/** Invalid pipeline definitions: one line per problem, each naming the file and the task. Exit 2. */
export class PipelineDefinitionError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export interface PipelineRegistry {
  names(): string[];
  plan(name: string): PipelinePlan | undefined;
  definition(name: string): Pipeline | undefined;
  plans(): PipelinePlan[];
}

const line = (file: string, p: { task?: string; problem: string }): string =>
  `${file}: ${p.task !== undefined ? `task ${p.task}: ` : ''}${p.problem}`;

export async function loadPipelines(options: { dir?: string; sparkJobs?: string } = {}): Promise<PipelineRegistry> {
  const dir = options.dir ?? pipelinesDir;
  const sparkJobs = options.sparkJobs ?? sparkJobsDir;
  const scriptExists = (script: string): boolean => {
    const path = join(sparkJobs, script);
    return !script.includes('..') && existsSync(path) && statSync(path).isFile();
  };
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts')).sort();
  const found: { file: string; def: Pipeline }[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const rel = relative(repoRoot, join(dir, f));
    const file = rel.startsWith('..') ? join(dir, f) : rel;
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: unknown };
    } catch (e) {
      problems.push(`${file}: cannot be loaded: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    // Helpers next to the pipelines (define.ts, sparkify-tables.ts) export no pipeline.
    if (!isPipeline(mod.default)) continue;
    found.push({ file, def: mod.default });
    problems.push(...validatePipeline(mod.default, scriptExists).map((p) => line(file, p)));
  }
  problems.push(...validateRegistry(found).map(({ file, problem }) => line(file, problem)));
  if (problems.length > 0) throw new PipelineDefinitionError(problems);
  const defs: PipelineDefinition[] = found.map((f) => f.def);
  const plans = new Map(found.map(({ file, def }) => [def.name, toPlan(def, file, defs)]));
  const definitions = new Map(found.map(({ def }) => [def.name, def]));
  return {
    names: () => [...plans.keys()],
    plan: (name) => plans.get(name),
    definition: (name) => definitions.get(name),
    plans: () => [...plans.values()],
  };
}
