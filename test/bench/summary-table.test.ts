// BENCHMARKS.md's summary table is generated from the benchmarks' summary lines (npm run
// bench:table): the table in the repository must be what its recorded lines give, a new line
// replaces its benchmark's row, and a smoke run's line is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { regenerate } from '../../infra/bench/summary-table';
import { parseSummaryLine } from '../../infra/bench/summary-line';
import { repoRoot } from '../../infra/paths';

const doc = readFileSync(join(repoRoot, 'BENCHMARKS.md'), 'utf8');
const cost = 'bench:cost runs=3 polls_s=1,5,15,30 idle_max/target=0.00 before_idle_max/target=1.52 met=4/4 at=2026-12-08T01:25Z load=12.5';

test('BENCHMARKS.md\'s summary table is what its recorded summary lines give', () => {
  expect(regenerate(doc), 'run npm run bench:table').toBe(doc);
});

test('a benchmark\'s new summary line replaces its recorded line and its row', () => {
  const line = cost.replace('load=12.5', 'load=0.7').replace('idle_max/target=0.00', 'idle_max/target=0.42');
  const next = regenerate(doc, new Map([['cost', line]]));
  expect(next).toContain(`\n${line}\n`);
  const row = next.split('\n').find((l) => l.startsWith('| Idle cluster time |'))!;
  expect(row).toContain('idle_max/target=0.42');
  expect(row).toContain('2026-12-08T01:25Z, load 0.7');
  expect(row).toContain('**4/4**');
  // Every other recorded line stays.
  for (const other of doc.split('\n').filter((l) => l.startsWith('bench:') && !l.startsWith('bench:cost ')))
    expect(next).toContain(other);
});

test('a smoke run\'s line is not recorded, and bench:etl\'s line (printed by Python) reads like the others', () => {
  expect(() => regenerate(doc, new Map([['cost', `${cost} smoke=1`]]))).toThrow(/smoke/);
  expect(parseSummaryLine('bench:etl naive/ours=2.19 marginal_ours/duckdb=n/a startup_s=7.8 met=0/2 at=2026-12-08T01:25Z load=3.0'))
    .toEqual({ name: 'etl', figures: { 'naive/ours': '2.19', 'marginal_ours/duckdb': 'n/a', startup_s: '7.8', met: '0/2', at: '2026-12-08T01:25Z', load: '3.0' } });
  expect(parseSummaryLine('summary: run overhead median 0.23 s')).toBeUndefined();
});
