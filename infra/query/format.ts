// How `emrflow query` prints a result: an aligned table (default), CSV or JSON.
import type { Cell, QueryResult } from './result';

export type OutputFormat = 'table' | 'csv' | 'json';

const text = (c: Cell, nullAs: string) => (c === null ? nullAs : String(c));

export function formatTable(r: QueryResult): string {
  const header = r.columns.map((c) => c.name);
  const body = r.rows.map((row) => row.map((c) => text(c, 'NULL')));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  // Numbers right-aligned, like every SQL shell.
  const right = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)];
  const n = r.rows.length;
  out.push(r.truncated ? `(first ${n} rows; more with --max-rows)` : `(${n} row${n === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

function csvField(c: Cell): string {
  const s = text(c, '');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(r: QueryResult): string {
  const lines = [r.columns.map((c) => csvField(c.name)), ...r.rows.map((row) => row.map(csvField))];
  return `${lines.map((l) => l.join(',')).join('\n')}\n`;
}

/** One JSON array of row objects, keyed by column name. */
export function formatJson(r: QueryResult): string {
  const rows = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i] ?? null])));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function formatResult(r: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'table': return formatTable(r);
    case 'csv': return formatCsv(r);
    case 'json': return formatJson(r);
  }
}
