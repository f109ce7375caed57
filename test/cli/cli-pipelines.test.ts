// `emrflow pipelines …` and the worker's start-up check, as a user runs them (real processes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { emrflow } from '../support/cli-process';

const bad = mkdtempSync(join(tmpdir(), 'emrflow-bad-pipelines-'));
afterAll(() => rmSync(bad, { recursive: true, force: true }));
// As in the repository, whose package.json says so: .ts files are ES modules.
writeFileSync(join(bad, 'package.json'), '{"type": "module"}\n');
writeFileSync(join(bad, 'loop.ts'), `import { definePipeline } from '${join(repoRoot, 'pipelines/define.ts')}';
export default definePipeline({ name: 'loop', description: 'a cycle', tasks: [
  { id: 'a', kind: 'spark', script: 'etl.py', dependsOn: ['b'] },
  { id: 'b', kind: 'spark', script: 'etl.py', dependsOn: ['a'] },
] });
`);

// A syntax error, as tsx (the CLI's TypeScript loader) reports it: file, line, column, message.
const broken = mkdtempSync(join(tmpdir(), 'emrflow-broken-pipelines-'));
afterAll(() => rmSync(broken, { recursive: true, force: true }));
writeFileSync(join(broken, 'package.json'), '{"type": "module"}\n');
writeFileSync(join(broken, 'broken.ts'), `import { definePipeline } from '${join(repoRoot, 'pipelines/define.ts')}';
export default definePipeline({
  name: 'broken'
  description: 'a comma is missing above',
  tasks: [],
});
`);

describe('emrflow pipelines', () => {
  test('list --json gives songs-etl and sparkify-reports with their tasks and dependencies', async () => {
    const r = await emrflow(['pipelines', 'list', '--json']);
    expect(r.code).toBe(0);
    const plans = JSON.parse(r.stdout) as { name: string; tasks: { id: string; dependsOn: string[] }[]; after: string[] }[];
    expect(plans.map((p) => p.name)).toEqual(['songs-etl', 'sparkify-reports']);
    expect(plans[1]!.after).toEqual(['songs-etl']);
    expect(plans[1]!.tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['plays-by-level', []], ['top-songs', []], ['daily-summary', ['plays-by-level', 'top-songs']],
    ]);
  });

  test('show prints the DAG as text, validate says the pipelines are valid', async () => {
    const show = await emrflow(['pipelines', 'show', 'sparkify-reports']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('runs after: songs-etl (same run date and mode)');
    expect(show.stdout).toContain('  daily-summary [spark] after plays-by-level, top-songs: spark-jobs/reports/daily_summary.py');
    // The schedule's time as the schedules are synced with it: dl.cfg's [schedule], not its key names.
    const etl = await emrflow(['pipelines', 'show', 'songs-etl']);
    expect(etl.stdout).toContain('\nschedule: daily at 07:00 UTC, overlap buffer-all\n');
    const early = await emrflow(['pipelines', 'show', 'songs-etl'], { EMRFLOW_SCHEDULE_DAILY_TIME: '05:30', EMRFLOW_SCHEDULE_TIME_ZONE: 'Europe/Berlin' });
    expect(early.stdout).toContain('\nschedule: daily at 05:30 Europe/Berlin, overlap buffer-all\n');
    const ok = await emrflow(['pipelines', 'validate']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('2 pipelines valid: songs-etl, sparkify-reports');
    const unknown = await emrflow(['pipelines', 'show', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('emrflow: no pipeline "nope" (known: songs-etl, sparkify-reports)');
  });

  test.each([['pipelines', 'validate'], ['worker']])('a pipeline with a cycle stops `emrflow %s` with one line naming the file and the task, exit 2', async (...args) => {
    const r = await emrflow(args, { EMRFLOW_PIPELINES_DIR: bad });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`emrflow: ${join(bad, 'loop.ts')}: task a: dependency cycle: a -> b -> a`]);
  });

  test('a pipeline file that does not parse: one line with its file, line, column and the parser\'s message, exit 2', async () => {
    const r = await emrflow(['pipelines', 'validate'], { EMRFLOW_PIPELINES_DIR: broken });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`emrflow: ${join(broken, 'broken.ts')}:4:3: cannot be loaded: Expected "}" but found "description"`]);
  });
});
