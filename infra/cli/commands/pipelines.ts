// `emrflow pipelines list | show NAME | validate`: the pipelines in pipelines/, as the worker sees them.
import type { Command } from 'commander';
import { loadPipelines } from '../../pipelines/registry';
import type { PipelinePlan, PlannedTask } from '../../../workflows/pipeline-plan';
import { loadConfig } from '../../config';
import { action, say, type GlobalOptions } from '../context';
import { EXIT_OK, UsageError } from '../exit-codes';

function taskLine(t: PlannedTask): string {
  const what = t.kind === 'spark' ? `spark-jobs/${t.script} ${t.args.join(' ')}${t.retries ? ` (retries ${t.retries})` : ''}`.trim()
    : t.kind === 'waitForInput' ? Object.entries(t.path).map(([mode, p]) => `${mode}: ${p}`).join('; ') + ` (timeout ${t.timeoutMinutes} min)`
      : t.kind === 'check' ? t.description
        : t.kind === 'catalog' ? t.tables.join(', ') : 'publishes what the run staged';
  return `  ${t.id} [${t.kind}]${t.dependsOn.length ? ` after ${t.dependsOn.join(', ')}` : ''}: ${what}`;
}

/** dl.cfg's [schedule] values: what a pipeline's schedule and deadline use when they name none. */
export interface ScheduleDefaults { dailyTime: string; timeZone: string }

function scheduleLine(p: PipelinePlan, d: ScheduleDefaults): string {
  if (p.after.length) return `runs after: ${p.after.join(', ')} (same run date and mode)`;
  if (!p.schedule) return 'schedule: none (start it with emrflow run)';
  return `schedule: daily at ${p.schedule.dailyTime ?? d.dailyTime} ${p.schedule.timeZone ?? d.timeZone}, overlap ${p.schedule.overlap}`;
}

export function showPipeline(p: PipelinePlan, d: ScheduleDefaults): string {
  return [
    `${p.name}: ${p.description}`, `file: ${p.file}`, scheduleLine(p, d),
    ...(p.dependants.length ? [`starts after it succeeds: ${p.dependants.join(', ')}`] : []),
    ...(p.deadline ? [`deadline: the run for date D succeeded by ${p.deadline.time} ${p.deadline.timeZone ?? d.timeZone} on D + 1 ([notify] deadline_missed)`] : []),
    `cluster step concurrency: ${p.stepConcurrency}`, 'tasks:', ...p.tasks.map(taskLine),
  ].join('\n');
}

/** The values the schedules are synced with, from dl.cfg (or its defaults), without its notice: this prints no progress. */
function scheduleDefaults(program: Command): ScheduleDefaults {
  const { schedule } = loadConfig({ path: program.opts<GlobalOptions>().config }).config;
  return { dailyTime: schedule.daily_time, timeZone: schedule.time_zone };
}

export function pipelinesCommand(program: Command): void {
  const pipelines = program.command('pipelines').description('the pipelines declared in pipelines/ (one file each)')
    .addHelpText('after', '\nExample:\n  $ emrflow pipelines show songs-etl');

  pipelines.command('list')
    .description('every pipeline with its tasks and dependencies')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ emrflow pipelines list --json')
    .action(action(async (opts: { json?: boolean }) => {
      const plans = (await loadPipelines()).plans();
      if (opts.json) process.stdout.write(`${JSON.stringify(plans, null, 2)}\n`);
      else for (const p of plans) process.stdout.write(`${p.name}  ${p.tasks.map((t) => t.id).join(' ')}  ${scheduleLine(p, scheduleDefaults(program))}\n`);
      return EXIT_OK;
    }));

  pipelines.command('show')
    .description('one pipeline as text: tasks, dependencies, schedule')
    .argument('<name>', 'pipeline name')
    .addHelpText('after', '\nExample:\n  $ emrflow pipelines show sparkify-reports')
    .action(action(async (name: string) => {
      const registry = await loadPipelines();
      const plan = registry.plan(name);
      if (!plan) throw new UsageError(`no pipeline "${name}" (known: ${registry.names().join(', ')})`);
      process.stdout.write(`${showPipeline(plan, scheduleDefaults(program))}\n`);
      return EXIT_OK;
    }));

  pipelines.command('validate')
    .description('check every pipeline file: dependencies, cycles, ids, scripts, placeholders (exit 2 when one is wrong)')
    .addHelpText('after', '\nExample:\n  $ emrflow pipelines validate')
    .action(action(async () => {
      const registry = await loadPipelines();
      say(`${registry.names().length} pipelines valid: ${registry.names().join(', ')}`);
      return EXIT_OK;
    }));
}
