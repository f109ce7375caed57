// What a query engine hands back, whichever engine ran it (DuckDB locally, Athena on AWS).

export type Cell = string | number | boolean | null;

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Cell[][];
  /** More rows existed than --max-rows allowed. */
  truncated: boolean;
  /** Which engine answered, e.g. "duckdb" or "athena (workgroup emrflow)". */
  engine: string;
}

/** The engine refused or failed the query: its message, on one line (exit 1). */
export class QueryFailed extends Error {}

/** The engine's message on one line: multi-line parser errors joined, the caret drawing dropped. */
export function oneLine(message: string): string {
  const head = message.split(/\n\s*\n/)[0] ?? message;
  return head.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}

const NUMERIC = /^(tinyint|smallint|int|integer|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|uhugeint|double|float|real|decimal.*)$/i;

/**
 * A value as JSON shows it: numbers as numbers where that loses nothing (a bigint beyond 2^53
 * stays a string), booleans as booleans, everything else (timestamps, dates) as text.
 */
export function typedCell(type: string, value: string | number | boolean | null | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  if (/^boolean$/i.test(type)) return value === 'true';
  if (NUMERIC.test(type)) {
    const n = Number(value);
    if (Number.isFinite(n) && (!/^-?\d+$/.test(value) || Number.isSafeInteger(n))) return n;
  }
  return value;
}
