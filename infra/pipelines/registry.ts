// Loads every pipeline in pipelines/ (one file each, `export default definePipeline(...)`),
// validates them together, and keeps their plans and check functions for the worker and CLI.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPipeline, type Pipeline, type PipelineDefinition } from '../../pipelines/define';
import type { PipelinePlan } from '../../workflows/pipeline-plan';
import { repoRoot } from '../paths';
import { unknownFields } from './known-fields';
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

/**
 * A file that cannot be imported, as `file:line:column: cannot be loaded: message`. A syntax
 * error comes from esbuild (through tsx, the CLI's loader) as "Transform failed with 1 error:" and then
 * `path:line:column: ERROR: message` on the next line; that line is the one that helps.
 */
function loadError(file: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /^.*?:(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  // esbuild counts columns from 0; editors and terminals' file:line:column links from 1.
  if (at) return `${file}:${at[1]}:${Number(at[2]) + 1}: cannot be loaded: ${at[3]}`;
  return `${file}: cannot be loaded: ${message.split('\n')[0]}`;
}

/**
 * Every file here is a pipeline, or a helper the pipelines import (define.ts,
 * sparkify-tables.ts), which has named exports and no default one. A file with no exports at
 * all (empty, or a pipeline without `export default`), or whose default export is not a
 * definePipeline(...), is a mistake: dropping it silently would leave a pipeline that never runs.
 */
function noPipelineProblem(mod: Record<string, unknown>): string | undefined {
  if (isPipeline(mod.default)) return undefined;
  // A folder without {"type": "module"} loads as CommonJS: Node then adds the whole
  // module.exports as "default" and "module.exports", which are no exports of the user's.
  const cjs = 'module.exports' in mod && mod['module.exports'] === mod.default;
  const named = Object.keys(mod).filter((k) => k !== 'default' && k !== 'module.exports');
  const pipelineExport = named.find((k) => isPipeline(mod[k]));
  if (pipelineExport) return `exports pipeline "${pipelineExport}" but not as the default; write \`export default definePipeline({...})\``;
  if ('default' in mod && !cjs) return 'its default export is not a pipeline; write `export default definePipeline({...})`';
  if (named.length === 0) return 'defines no pipeline: no `export default definePipeline({...})` (and no exports, as a helper the pipelines import would have)';
  return undefined;
}

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
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
    } catch (e) {
      problems.push(loadError(file, e));
      continue;
    }
    const notPipeline = noPipelineProblem(mod);
    if (notPipeline) problems.push(`${file}: ${notPipeline}`);
    if (!isPipeline(mod.default)) continue;
    found.push({ file, def: mod.default });
    problems.push(...[...unknownFields(mod.default), ...validatePipeline(mod.default, scriptExists)].map((p) => line(file, p)));
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
