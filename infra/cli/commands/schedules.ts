import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { dailyBackfill } from '../../schedules/backfill';
import { loadPipelines } from '../../pipelines/registry';
import { SCHEDULE_IDS, SONGS_ETL_DAILY, scheduleDefinitions } from '../../schedules/definitions';
import { syncSchedules } from '../../schedules/sync';
import { temporalClient } from '../../worker/connect';
import { UsageError } from '../exit-codes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { parseRunDate } from '../parse-args';

async function existingHandle(client: Client, id: string) {
  const known = `known: ${SCHEDULE_IDS.join(', ')}; run emrflow schedules sync`;
  // The server answers an empty id with a bare "Failed to describe schedule".
  if (id.trim() === '') throw new UsageError(`the schedule id is empty (${known})`);
  const handle = client.schedule.getHandle(id);
  try {
    await handle.describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new UsageError(`schedule "${id}" does not exist (${known})`);
    throw e;
  }
  return handle;
}

export function schedulesCommand(program: Command): void {
  const schedules = program.command('schedules').description('the daily pipeline and hourly sweeper schedules')
    .addHelpText('after', '\nExample:\n  $ emrflow schedules list');
  const withClient = async () => {
    const config = configFrom(program.opts<GlobalOptions>());
    return { config, client: await temporalClient(config) };
  };

  schedules.command('sync')
    .description('create missing schedules and update changed ones (a paused schedule stays paused)')
    .addHelpText('after', '\nExample:\n  $ emrflow schedules sync')
    .action(action(async () => {
      const { config, client } = await withClient();
      const result = await syncSchedules(client, scheduleDefinitions(config, (await loadPipelines()).plans()));
      for (const [id, what] of Object.entries(result)) process.stdout.write(`${id}: ${what}\n`);
    }));

  schedules.command('list')
    .description('schedules with their next run times, paused state and last run')
    .option('--json', 'print JSON: one object per schedule')
    .addHelpText('after', '\nExample:\n  $ emrflow schedules list --json')
    .action(action(async (opts: { json?: boolean }) => {
      const { client } = await withClient();
      const rows = [];
      for await (const s of client.schedule.list()) {
        const d = await client.schedule.getHandle(s.scheduleId).describe();
        const last = d.info.recentActions.at(-1);
        rows.push({
          id: s.scheduleId,
          paused: d.state.paused,
          note: d.state.note ?? '',
          nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
          lastRun: last ? { scheduledAt: last.scheduledAt.toISOString(), workflowId: last.action.workflow.workflowId } : null,
        });
      }
      rows.sort((a, b) => a.id.localeCompare(b.id));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      process.stdout.write(`${'SCHEDULE'.padEnd(30)} ${'PAUSED'.padEnd(6)} ${'NEXT RUN'.padEnd(24)} LAST RUN\n`);
      for (const r of rows)
        process.stdout.write(`${r.id.padEnd(30)} ${String(r.paused).padEnd(6)} ${(r.nextRuns[0] ?? '-').padEnd(24)} ${r.lastRun?.workflowId ?? '-'}\n`);
    }));

  schedules.command('trigger <id>')
    .description('start the schedule\'s action now')
    .addHelpText('after', `\nExample:\n  $ emrflow schedules trigger ${SONGS_ETL_DAILY}`)
    .action(action(async (id: string) => {
      const { client } = await withClient();
      await (await existingHandle(client, id)).trigger();
      say(`triggered ${id}`);
    }));

  schedules.command('pause <id>')
    .description('pause a schedule (sync never unpauses it)')
    .option('--note <text>', 'optional: why it is paused, shown in the web UI')
    .addHelpText('after', `\nExample:\n  $ emrflow schedules pause ${SONGS_ETL_DAILY} --note "source bucket migration"`)
    .action(action(async (id: string, opts: { note?: string }) => {
      const { client } = await withClient();
      await (await existingHandle(client, id)).pause(opts.note ?? 'paused with emrflow schedules pause');
      say(`paused ${id}`);
    }));

  schedules.command('unpause <id>')
    .description('unpause a schedule')
    .addHelpText('after', `\nExample:\n  $ emrflow schedules unpause ${SONGS_ETL_DAILY}`)
    .action(action(async (id: string) => {
      const { client } = await withClient();
      await (await existingHandle(client, id)).unpause('unpaused with emrflow schedules unpause');
      say(`unpaused ${id}`);
    }));

  schedules.command('backfill <id>')
    .description('one run per day from --from to --to (run dates, inclusive), whether or not it already ran; oldest first, one at a time')
    .requiredOption('--from <YYYY-MM-DD>', 'first run date')
    .requiredOption('--to <YYYY-MM-DD>', 'last run date')
    .addHelpText('after', `\nExample:\n  $ emrflow schedules backfill ${SONGS_ETL_DAILY} --from 2018-11-01 --to 2018-11-07`)
    .action(action(async (id: string, opts: { from: string; to: string }) => {
      const from = parseRunDate(opts.from, '--from');
      const to = parseRunDate(opts.to, '--to');
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      if (id !== SONGS_ETL_DAILY) throw new UsageError(`backfill is for the daily schedule "${SONGS_ETL_DAILY}", not "${id}"`);
      const { config, client } = await withClient();
      await (await existingHandle(client, id)).backfill(dailyBackfill(config, from, to));
      say(`backfill of ${id} for run dates ${from} to ${to} requested; runs start one after another`);
    }));

  schedules.command('delete <id>')
    .description('delete a schedule (sync creates it again)')
    .addHelpText('after', `\nExample:\n  $ emrflow schedules delete ${SONGS_ETL_DAILY}`)
    .action(action(async (id: string) => {
      const { client } = await withClient();
      await (await existingHandle(client, id)).delete();
      say(`deleted ${id}`);
    }));
}
