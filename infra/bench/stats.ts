// Small statistics and formatting helpers shared by the benchmarks.

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Spread { n: number; median: number; p95: number; min: number; max: number }

export function spread(values: number[]): Spread {
  return {
    n: values.length,
    median: percentile(values, 50),
    p95: percentile(values, 95),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** A Markdown table, so the output can be pasted into BENCHMARKS.md as it is. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function spreadRow(label: string, s: Spread, unit = 's', digits = 2): string[] {
  return [label, String(s.n), `${fmt(s.median, digits)} ${unit}`, `${fmt(s.p95, digits)} ${unit}`, `${fmt(s.min, digits)} ${unit}`, `${fmt(s.max, digits)} ${unit}`];
}

export const SPREAD_HEADER = ['measure', 'n', 'median', 'p95', 'min', 'max'];
