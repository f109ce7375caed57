// Reads the root Dockerfile and .dockerignore the way a build uses them, so that a test can do
// what the image build does (test/deploy/image-dependencies.test.ts) and cannot drift from it.
// Only the forms the Dockerfile uses are understood; anything else throws, naming the line.
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, matchesGlob, posix } from 'node:path';

export interface Instruction { keyword: string; args: string; line: number }
export interface Stage { name?: string; workdir: string; instructions: Instruction[] }
export interface Copy { from?: string; sources: string[]; dest: string }

export interface Dockerfile { args: Record<string, string>; stages: Stage[] }

/** The Dockerfile's ARGs before its first FROM and its stages, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]!;
    while (logical.trimEnd().endsWith('\\') && i + 1 < lines.length) logical = logical.trimEnd().slice(0, -1) + ' ' + lines[++i]!.trim();
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(trimmed)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: rest!, line: start };
    if (instruction.keyword === 'FROM') {
      const name = /\sAS\s+(\S+)$/i.exec(rest!)?.[1];
      stages.push({ ...(name && { name }), workdir: '/', instructions: [instruction] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`Dockerfile line ${start}: ${instruction.keyword} before the first FROM`);
      const [name, ...value] = rest!.split('=');
      args[name!] = value.join('=');
    } else {
      const stage = stages[stages.length - 1]!;
      if (instruction.keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, rest!);
      stage.instructions.push(instruction);
    }
  }
  return { args, stages };
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions.filter((i) => i.keyword === 'COPY').map((i) => {
    if (i.args.startsWith('[')) throw new Error(`Dockerfile line ${i.line}: JSON-form COPY is not understood here`);
    const words = i.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const unknown = flags.filter((f) => !f.startsWith('--from='));
    if (unknown.length) throw new Error(`Dockerfile line ${i.line}: COPY ${unknown.join(' ')} is not understood here`);
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    return { ...(from && { from }), sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
  });
}

/** ENV lines in `KEY=value` form (values without spaces or quotes, as the Dockerfile writes them). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || /["']/.test(pair)) throw new Error(`Dockerfile line ${i.line}: ENV "${pair}" is not in KEY=value form`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** The shell commands of the stage's RUN lines, each split at `&&`. */
export function runsOf(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => i.args.split('&&').map((c) => c.trim()));
}

/** The .dockerignore patterns; `!` exceptions are refused (the build context here does not apply them). */
export function readDockerignore(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((p) => {
    if (p.startsWith('!')) throw new Error(`${file}: exception pattern "${p}" is not supported by the image test`);
    return p.replace(/^\/+/, '').replace(/\/+$/, '');
  });
}

/** Whether a path of the build context (relative, with `/`) is left out by the patterns. */
export function isIgnored(relPath: string, patterns: string[]): boolean {
  const parts = relPath.split('/');
  // A pattern that matches a directory leaves out everything under it.
  return parts.some((_, n) => {
    const prefix = parts.slice(0, n + 1).join('/');
    return patterns.some((p) => matchesGlob(prefix, p));
  });
}

/** COPY `source` (relative to the context) to `target`, leaving out what .dockerignore does. */
export function copyFromContext(context: string, source: string, target: string, patterns: string[]): void {
  const rel = posix.normalize(source).replace(/^\.\/?/, '');
  if (isIgnored(rel, patterns)) throw new Error(`COPY ${source}: .dockerignore leaves it out of the build context`);
  cpSync(join(context, rel), target, { recursive: true, filter: (src) => {
    const inside = src.slice(context.length + 1).split('\\').join('/');
    return inside === '' || !isIgnored(inside, patterns);
  } });
}

/** Every file under `dir`, relative and sorted (to compare what an image holds). */
export function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).sort().flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}
