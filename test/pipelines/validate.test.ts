// Pipeline definitions: what validation rejects (one line naming the file, the task and the
// problem), the plans of the shipped pipelines, and the songs-etl audit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { auditProblems, type AuditedReport } from '../../pipelines/checks/staged-run-audit';
import type { CheckContext } from '../../pipelines/define';
import { loadPipelines, PipelineDefinitionError } from '../../infra/pipelines/registry';
import { showPipeline } from '../../infra/cli/commands/pipelines';

const define = join(import.meta.dirname, '../../pipelines/define.ts').replace(/\\/g, '/');
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A pipelines folder holding one file with these tasks (and spark-jobs/job.py). */
function folder(tasks: string, extra = ''): { dir: string; sparkJobs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-pipelines-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'job.py'), 'print(1)\n');
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(join(dir, 'mine.ts'), `import { definePipeline } from '${define}';\nexport default definePipeline({ name: 'mine', description: 'd', ${extra} tasks: [${tasks}] });\n`);
  return { dir, sparkJobs: dir };
}

async function problems(tasks: string, extra = ''): Promise<string[]> {
  const err = await loadPipelines(folder(tasks, extra)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PipelineDefinitionError);
  return (err as PipelineDefinitionError).lines.map((l) => l.replace(/^.*mine\.ts: /, 'mine.ts: '));
}

describe('pipeline validation', () => {
  test.each([
    ['a deadline that is no time of day', `deadline: '7am',`, 'mine.ts: deadline must be a time of day like "07:00" (HH:MM or HH:MM:SS), got "7am"'],
    ['a deadline in an unknown zone', `deadline: '07:00', deadlineTimeZone: 'Mars/Base',`, 'mine.ts: deadlineTimeZone must be an IANA time zone such as UTC or Europe/Berlin, got "Mars/Base"'],
  ])('rejects %s', async (_what, extra, line) => {
    expect(await problems(`{ id: 'a', kind: 'spark', script: 'job.py' }`, extra)).toEqual([line]);
  });

  test('a deadline becomes part of the plan, in the schedule\'s zone unless it names its own', async () => {
    const reg = await loadPipelines(folder(`{ id: 'a', kind: 'spark', script: 'job.py' }`, `deadline: '07:00:30', schedule: { timeZone: 'Europe/Berlin' },`));
    expect(reg.plan('mine')?.deadline).toEqual({ time: '07:00:30', timeZone: 'Europe/Berlin' });
    expect(showPipeline(reg.plan('mine')!, { dailyTime: '07:00', timeZone: 'UTC' })).toContain('deadline: the run for date D succeeded by 07:00:30 Europe/Berlin on D + 1');
  });

  test.each([
    ['an unknown dependency', `{ id: 'a', kind: 'spark', script: 'job.py', dependsOn: ['b'] }`, 'mine.ts: task a: depends on "b", which is not a task of this pipeline'],
    ['a cycle', `{ id: 'a', kind: 'spark', script: 'job.py', dependsOn: ['b'] }, { id: 'b', kind: 'spark', script: 'job.py', dependsOn: ['a'] }`, 'mine.ts: task a: dependency cycle: a -> b -> a'],
    ['duplicate ids', `{ id: 'a', kind: 'spark', script: 'job.py' }, { id: 'a', kind: 'spark', script: 'job.py' }`, 'mine.ts: task a: duplicate task id'],
    ['a missing script', `{ id: 'a', kind: 'spark', script: 'nope.py' }`, 'mine.ts: task a: script spark-jobs/nope.py does not exist'],
    ['an unknown placeholder', `{ id: 'a', kind: 'spark', script: 'job.py', args: ['{rundate}'] }`, 'mine.ts: task a: unknown placeholder {rundate} (known: {runDate} {runYear} {runMonth} {runDay} {mode} {input} {output} {runId})'],
  ])('rejects %s with one line naming the file and the task', async (_what, tasks, line) => {
    expect(await problems(tasks)).toEqual([line]);
  });

  test('a pipeline\'s own budget reaches its plan; a budget that is not a positive amount is rejected in one line', async () => {
    const registry = await loadPipelines(folder(`{ id: 'a', kind: 'spark', script: 'job.py' }`, 'maxRunUsd: 2.5,'));
    expect(registry.plan('mine')?.maxRunUsd).toBe(2.5);
    expect(await problems(`{ id: 'a', kind: 'spark', script: 'job.py' }`, 'maxRunUsd: 0,')).toEqual(['mine.ts: maxRunUsd must be a number of USD greater than 0, got 0']);
  });

  test('a pipeline parameter is a known placeholder', async () => {
    const registry = await loadPipelines(folder(`{ id: 'a', kind: 'spark', script: 'job.py', args: ['{top}'] }`, `params: { top: '5' },`));
    expect(registry.plan('mine')?.tasks[0]).toMatchObject({ args: ['{top}'] });
  });

  test.each([
    ['a misspelled task field', `{ id: 'a', kind: 'spark', script: 'job.py', dependOn: ['x'] }`, '', 'mine.ts: task a: unknown field dependOn (did you mean "dependsOn"?)'],
    ['a misspelled pipeline field', `{ id: 'a', kind: 'spark', script: 'job.py' }`, `schedul: {},`, 'mine.ts: unknown field schedul (did you mean "schedule"?)'],
    ['a misspelled schedule field', `{ id: 'a', kind: 'spark', script: 'job.py' }`, `schedule: { dailytime: '07:00' },`, 'mine.ts: unknown field schedule.dailytime (did you mean "dailyTime"?)'],
    ['a sensor path for no mode', `{ id: 'a', kind: 'waitForInput', path: { dialy: '/in' } }`, '', 'mine.ts: task a: unknown field path.dialy (did you mean "daily"?)'],
    ['a field of another kind of task', `{ id: 'a', kind: 'spark', script: 'job.py', timeoutMinutes: 5 }`, '', 'mine.ts: task a: unknown field timeoutMinutes'],
  ])('rejects %s instead of ignoring it', async (_what, tasks, extra, line) => {
    expect(await problems(tasks, extra)).toEqual([line]);
  });

  test.each([
    ['an empty file', '', 'other.ts: defines no pipeline: no `export default definePipeline({...})` (and no exports, as a helper the pipelines import would have)'],
    ['a pipeline exported by name only', `import { definePipeline } from '${define}';\nexport const other = definePipeline({ name: 'other', description: 'd', tasks: [] });\n`,
      'other.ts: exports pipeline "other" but not as the default; write `export default definePipeline({...})`'],
    ['a default export that is no pipeline', 'export default { name: "other" };\n', 'other.ts: its default export is not a pipeline; write `export default definePipeline({...})`'],
  ])('a file in the pipelines folder with %s is an error, not skipped', async (_what, text, line) => {
    const f = folder(`{ id: 'a', kind: 'spark', script: 'job.py' }`);
    writeFileSync(join(f.dir, 'other.ts'), text);
    const err = await loadPipelines(f).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineDefinitionError);
    expect((err as PipelineDefinitionError).lines.map((l) => l.slice(f.dir.length + 1))).toEqual([line]);
  });

  test('a helper file with named exports and no pipeline (as define.ts) is no error', async () => {
    const f = folder(`{ id: 'a', kind: 'spark', script: 'job.py' }`);
    writeFileSync(join(f.dir, 'tables.ts'), 'export const TABLES = ["songplays"];\n');
    expect((await loadPipelines(f)).names()).toEqual(['mine']);
  });

  test('the shipped pipelines: songs-etl then sparkify-reports, whose two reports run side by side before the summary', async () => {
    const registry = await loadPipelines();
    expect(registry.names()).toEqual(['songs-etl', 'sparkify-reports']);
    expect(registry.plan('songs-etl')).toMatchObject({ dependants: ['sparkify-reports'], stepConcurrency: 1 });
    expect(registry.plan('songs-etl')!.tasks.map((t) => [t.id, t.kind, t.dependsOn])).toEqual([
      ['input', 'waitForInput', []], ['etl', 'spark', ['input']], ['audit', 'check', ['etl']], ['publish', 'publish', ['audit']], ['catalog', 'catalog', ['publish']],
    ]);
    expect(registry.plan('sparkify-reports')).toMatchObject({ after: ['songs-etl'], stepConcurrency: 2 });
  });
});

describe('the songs-etl audit', () => {
  const ctx: CheckContext = { reports: {}, runDate: '2018-11-15', mode: 'daily', forcePublish: false, settings: { maxRejectedShare: 0.05, maxMonthShrink: 0.5, outputUri: '/lake' } };
  const report: AuditedReport = {
    input: { song_records: 10, log_records: 90 }, rejected: { total: 5 },
    rows: { songplays: 40, users: 12, songs: 10, artists: 9, time: 40 },
  };

  test('passes a good report, flags too many rejects and empty tables', () => {
    expect(auditProblems(report, ctx)).toEqual([]);
    expect(auditProblems({ ...report, rejected: { total: 6 } }, ctx)).toEqual(['reject share: 6 of 100 input records rejected (6.0% > 5.0% allowed)']);
    expect(auditProblems({ ...report, rows: { ...report.rows, users: 0, songs: 'unchanged' } }, ctx)).toEqual(['non-empty tables: users has 0 rows']);
  });

  test('flags a staged schema that differs from the contract', () => {
    const staged: AuditedReport = { ...report, tables: { users: { status: 'written', rows: 12, schema: [['user_id', 'bigint'], ['first_name', 'string'], ['last_name', 'string'], ['gender', 'string'], ['level', 'string']] } } };
    expect(auditProblems(staged, ctx)).toEqual(['schema: users was staged as (user_id bigint, first_name string, last_name string, gender string, level string), the contract says (user_id string, first_name string, last_name string, gender string, level string)']);
  });

  test('a daily run whose month shrinks too much fails unless forced', () => {
    const shrinking = { ...report, audit: { month: '2018-11', month_songplays_before: 100, month_songplays_after: 40 } };
    expect(auditProblems(shrinking, ctx)).toEqual(['month shrink: 2018-11 would go from 100 to 40 songplays (-60.0% > 50.0% allowed; `emrflow run --force-publish` publishes it anyway)']);
    expect(auditProblems(shrinking, { ...ctx, forcePublish: true })).toEqual([]);
  });
});
