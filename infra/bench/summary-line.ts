// Every benchmark ends with ONE machine-readable line, `bench:<name> key=value …` (the figures,
// the targets' ratios, how many targets were met, when and under what load), which
// summary-table.ts turns into BENCHMARKS.md's summary table. BENCH_SMOKE=1 runs the smallest
// sizes (seconds): `npm test` checks that each benchmark still completes and prints this line;
// the targets are only judged in the full runs.
import { loadavg } from 'node:os';

export const SMOKE = process.env.BENCH_SMOKE === '1';

/** A size from the environment, else its full-run default, else (smoke mode) its smoke default. */
export function size(envName: string, full: number, smoke: number): number {
  const set = process.env[envName];
  return set !== undefined && set !== '' ? Number(set) : SMOKE ? smoke : full;
}

export type Figures = Record<string, string | number>;

/** `bench:<name> k=v … smoke=1? at=<UTC minute> load=<1-min load average>`: values hold no spaces. */
export function summaryLine(name: string, figures: Figures): string {
  const all: Figures = { ...figures, ...(SMOKE && { smoke: 1 }), at: new Date().toISOString().slice(0, 16) + 'Z', load: loadavg()[0]!.toFixed(1) };
  return `bench:${name} ${Object.entries(all).map(([k, v]) => `${k}=${String(v).replace(/\s+/g, '_')}`).join(' ')}`;
}

export interface ParsedLine { name: string; figures: Record<string, string> }

/** The inverse of summaryLine (also reads bench:etl's line, printed by Python); undefined for other lines. */
export function parseSummaryLine(line: string): ParsedLine | undefined {
  const m = /^bench:([a-z][\w-]*)((?: \S+=\S*)+)\s*$/.exec(line.trim());
  if (!m) return undefined;
  const figures: Record<string, string> = {};
  for (const pair of m[2]!.trim().split(' ')) {
    const at = pair.indexOf('=');
    figures[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { name: m[1]!, figures };
}

/** `met=<targets met>/<targets judged>`. */
export const metCount = (results: boolean[]): string => `${results.filter(Boolean).length}/${results.length}`;
