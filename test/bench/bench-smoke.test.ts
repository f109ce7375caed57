// Every orchestration benchmark (infra/bench/*.ts) in smoke mode (BENCH_SMOKE=1: the smallest
// sizes, seconds each): each must complete and end with its summary line, `bench:<name> …`, with
// its figures as numbers. It checks that the benchmark works, not its targets (the full runs
// judge those): a benchmark that no longer runs (issue #30: bench:cost failed at preflight,
// bench:overhead's stand-in job refused --stage-only) fails here. bench:etl's smoke run is
// spark-jobs/tests/test_bench.py.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseSummaryLine } from '../../infra/bench/summary-line';
import { repoRoot } from '../../infra/paths';

/** Figures each benchmark's line must give as numbers. */
const BENCHES = {
  cost: ['runs', 'idle_max/target', 'before_idle_max/target', 'waiting_idle_max/target'],
  overhead: ['overhead_median_s', 'overhead/target', 'step_median_s', 'handoff_median_s', 'handoff/target'],
  throughput: ['runs_per_s', 'waiting', 'waiting/target', 'peak_rss_mib', 'rss/target', 'fanout_waiting', 'fanout_peak_rss_mib'],
  publish: ['copies_1_month', 'copies_12_months', 'copies_12/1', 'lock_overhead_ms'],
};

function runBench(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'infra', 'bench', `${name}.ts`)], {
    cwd: repoRoot, env: { ...process.env, BENCH_SMOKE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('every benchmark in smoke mode', () => {
  test.each(Object.entries(BENCHES))('bench:%s completes and prints its summary line last', async (name, keys) => {
    const { code, stdout, stderr } = await runBench(name);
    expect(code, `bench:${name} failed; its stderr ends:\n${stderr.slice(-3000)}`).toBe(0);
    const last = stdout.trim().split('\n').at(-1)!;
    const line = parseSummaryLine(last);
    expect(line?.name, `the last line of bench:${name} is not its summary line: ${last}`).toBe(name);
    expect(line!.figures.smoke).toBe('1');
    expect(line!.figures.met).toMatch(/^\d+\/\d+$/);
    for (const key of keys) expect(Number(line!.figures[key]), `${key} in ${last}`).not.toBeNaN();
  }, 180_000);
});
