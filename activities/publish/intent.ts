// The publish intent record and the manifest it is made from, exactly as SPEC.md's "Publish
// intent protocol" lays them out: spark-jobs/etl.py writes and reads the same files, so either
// side can finish a publish the other started.

/** One directory swap: `staged` (relative to the staging root, null = remove the target) → `target` (relative to the output). */
export interface Move {
  table: string;
  staged: string | null;
  target: string;
}

/** `<output>/_staging/<run-id>/_manifest.json`, written last by the job: its presence means staging is complete. */
export interface Manifest {
  format: 1;
  run_id: string;
  mode: string;
  run_date: string | null;
  created_at: string;
  moves: Move[];
}

export type MoveProgress = 'backed-up' | 'installed';

/** `<output>/_publish/intent.json`: written before any table is touched, rewritten after each half move, deleted last. */
export interface Intent {
  format: 1;
  run_id: string;
  staging: string;
  previous: string;
  created_at: string;
  moves: Move[];
  progress: Record<string, MoveProgress>;
}

export const INTENT_PATH = '_publish/intent.json';
export const stagingOf = (runId: string): string => `_staging/${runId}`;
export const previousOf = (runId: string): string => `_previous/${runId}`;
export const manifestOf = (runId: string): string => `${stagingOf(runId)}/_manifest.json`;

const RESERVED = /^_(publish|staging|previous)(\/|$)/;

/** A path inside the lake: relative, no "..", not one of the protocol's own directories. */
function checkPath(where: string, what: string, path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return `${where}: ${what} must be a non-empty relative path`;
  if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    return `${where}: ${what} "${path}" is not a plain relative path`;
  }
  if (RESERVED.test(path)) return `${where}: ${what} "${path}" is inside a directory the publish protocol owns`;
  return undefined;
}

/** The one-line problem with a manifest or intent's moves, or undefined when they are valid. */
export function movesProblem(where: string, moves: unknown): string | undefined {
  if (!Array.isArray(moves) || moves.length === 0) return `${where}: "moves" must be a non-empty list`;
  for (const [i, m] of (moves as Partial<Move>[]).entries()) {
    const at = `${where}: moves[${i}]`;
    if (typeof m !== 'object' || m === null) return `${at} is not an object`;
    if (typeof m.table !== 'string' || m.table === '') return `${at}: "table" must be a name`;
    const bad = checkPath(at, 'target', m.target) ?? (m.staged === null ? undefined : checkPath(at, 'staged', m.staged));
    if (bad) return bad;
  }
  return undefined;
}

export function manifestProblem(where: string, m: Partial<Manifest>, runId: string): string | undefined {
  if (m.format !== 1) return `${where}: unsupported manifest format ${JSON.stringify(m.format)} (expected 1)`;
  if (m.run_id !== runId) return `${where}: run_id is ${JSON.stringify(m.run_id)}, expected "${runId}"`;
  return movesProblem(where, m.moves);
}

export function intentProblem(where: string, i: Partial<Intent>): string | undefined {
  if (i.format !== 1) return `${where}: unsupported intent format ${JSON.stringify(i.format)} (expected 1)`;
  if (typeof i.run_id !== 'string' || i.run_id === '') return `${where}: "run_id" is missing`;
  for (const key of ['staging', 'previous'] as const) {
    if (typeof i[key] !== 'string' || !/^_(staging|previous)\/[^/]+$/.test(i[key])) return `${where}: "${key}" must look like _${key}/<run-id>`;
  }
  if (typeof i.progress !== 'object' || i.progress === null) return `${where}: "progress" must be an object`;
  return movesProblem(where, i.moves);
}
