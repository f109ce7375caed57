// npm run bench:table — BENCHMARKS.md's summary table, generated from the benchmarks' own summary
// lines (`bench:<name> key=value …`, summary-line.ts), so the table cannot drift from what was run.
//
//   npm run bench:cost | tee /tmp/cost.out
//   npm run bench:table -- /tmp/cost.out [more outputs …]   # record their last lines, regenerate
//   npm run bench:table -- --check                          # exit 1 if the table is not the lines'
//
// BENCHMARKS.md keeps the recorded lines (one per benchmark, the last full run's) between the
// `bench:lines` markers and the table between the `bench:table` markers. Smoke runs' lines
// (smoke=1) are refused: their sizes say nothing about the targets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths';
import { parseSummaryLine, type ParsedLine } from './summary-line';

interface Bench { name: string; title: string; command: string; targets: string }

/** Every benchmark, in the table's order, with what its targets are (the lines give the ratios). */
export const BENCHES: Bench[] = [
  { name: 'overhead', title: 'Orchestration overhead; pipeline task hand-off', command: 'npm run bench:overhead', targets: 'median overhead < 1.5 s end to end; a → b hand-off median < 0.5 s' },
  { name: 'throughput', title: 'Capacity; pipeline fan-out', command: 'npm run bench:throughput', targets: '≥ 1,000 waiting runs, and ≥ 10,000 waiting tasks, on one worker under 1 GiB' },
  { name: 'cost', title: 'Idle cluster time', command: 'npm run bench:cost', targets: 'idle ≤ one poll interval + one API round trip, at every poll interval' },
  { name: 'etl', title: 'Spark job', command: 'npm run bench:etl', targets: 'naive/ours ≥ 2.5x; marginal ours/DuckDB ≤ 2.5x; start-up ≤ 4 s' },
  { name: 'publish', title: 'Publishing on S3, lake lock', command: 'npm run bench:publish', targets: 'a daily publish does not grow with untouched months; lock < 1 s' },
];

const LINES = ['<!-- bench:lines begin -->', '<!-- bench:lines end -->'] as const;
const TABLE = ['<!-- bench:table begin -->', '<!-- bench:table end -->'] as const;
const CONTEXT = new Set(['met', 'at', 'load', 'smoke']);

function between(doc: string, [begin, end]: readonly [string, string]): { before: string; inside: string; after: string } {
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`BENCHMARKS.md has no "${begin}" … "${end}" section`);
  return { before: doc.slice(0, i + begin.length), inside: doc.slice(i + begin.length, j), after: doc.slice(j) };
}

/** The last summary line of each benchmark in `text` (a benchmark's output, or the recorded block). */
export function lastLines(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const parsed = parseSummaryLine(line);
    if (parsed) found.set(parsed.name, line.trim());
  }
  return found;
}

function row(bench: Bench, line: ParsedLine | undefined): string {
  const cells = [bench.title, `\`${bench.command}\``];
  if (!line) return `| ${[...cells, 'no summary line recorded (see its section)', '—', bench.targets, '—'].join(' | ')} |`;
  const f = line.figures;
  const figures = Object.entries(f).filter(([k]) => !CONTEXT.has(k)).map(([k, v]) => `${k}=${v}`).join(' ');
  return `| ${[...cells, `${f.at ?? '?'}, load ${f.load ?? '?'}`, `\`${figures}\``, bench.targets, f.met ? `**${f.met}**` : '?'].join(' | ')} |`;
}

/** The table for the recorded lines. */
export function summaryTable(lines: Map<string, string>): string {
  const unknown = [...lines.keys()].filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`summary lines of unknown benchmarks: ${unknown.join(', ')} (add them to BENCHES)`);
  return [
    '| benchmark | command | run (UTC, 1-min load) | figures (its summary line; x/target = ratio to the target) | targets | targets met |',
    '|---|---|---|---|---|---|',
    ...BENCHES.map((b) => row(b, lines.has(b.name) ? parseSummaryLine(lines.get(b.name)!) : undefined)),
  ].join('\n');
}

/** BENCHMARKS.md with `added` recorded (replacing each benchmark's previous line) and its table regenerated. */
export function regenerate(doc: string, added: Map<string, string> = new Map()): string {
  for (const [name, line] of added)
    if (parseSummaryLine(line)!.figures.smoke) throw new Error(`bench:${name}: a smoke run's line (smoke=1) is not a measurement`);
  const linesPart = between(doc, LINES);
  const lines = new Map([...lastLines(linesPart.inside), ...added]);
  const ordered = BENCHES.filter((b) => lines.has(b.name)).map((b) => lines.get(b.name)!);
  const withLines = `${linesPart.before}\n\`\`\`text\n${ordered.join('\n')}\n\`\`\`\n${linesPart.after}`;
  const tablePart = between(withLines, TABLE);
  return `${tablePart.before}\n${summaryTable(lines)}\n${tablePart.after}`;
}

function main(argv: string[]): number {
  const path = join(repoRoot, 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  if (argv[0] === '--check') {
    if (regenerate(doc) === doc) return 0;
    console.error('bench:table: BENCHMARKS.md\'s summary table is not what its recorded summary lines give: run npm run bench:table');
    return 1;
  }
  const added = new Map<string, string>();
  for (const file of argv) {
    const found = lastLines(readFileSync(file, 'utf8'));
    if (found.size === 0) throw new Error(`${file} holds no bench:<name> summary line (did the benchmark finish?)`);
    for (const [name, line] of found) added.set(name, line);
  }
  writeFileSync(path, regenerate(doc, added));
  console.log(`BENCHMARKS.md: ${added.size > 0 ? `recorded ${[...added.keys()].map((n) => `bench:${n}`).join(', ')}; ` : ''}summary table regenerated`);
  return 0;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:table: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
