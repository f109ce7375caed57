// Bad command-line arguments as a user types them: each gets exactly ONE stderr line saying
// what is wrong, exit 2, and nothing on stdout. Real CLI processes; the schedule cases ask the
// run-wide Temporal dev server, where no schedule of those names exists.
import { expect, test } from 'vitest';
import { emrflow as run } from '../support/cli-process';
import { temporalAddress } from '../support/temporal';

const KNOWN = 'known: songs-etl-daily, sweep-stray-clusters-hourly; run emrflow schedules sync';

// [what a user got wrong, argv, the one stderr line expected]
const CASES: [string, string[], string][] = [
  ['month 13', ['run', '--date', '2026-13-01'], 'emrflow: --date 2026-13-01: expected a calendar date YYYY-MM-DD'],
  ['February 30', ['run', '--date', '2026-02-30'], 'emrflow: --date 2026-02-30: expected a calendar date YYYY-MM-DD'],
  ['a word for a date', ['run', '--date', 'yesterday'], 'emrflow: --date yesterday: expected a calendar date YYYY-MM-DD'],
  ['an empty date', ['run', '--date', ''], 'emrflow: --date is empty: expected a calendar date YYYY-MM-DD'],
  ['an unknown mode', ['run', '--mode', 'weekly'], 'emrflow: --mode weekly: expected full or daily'],
  ['trigger an unknown schedule', ['schedules', 'trigger', 'nightly-etl'], `emrflow: schedule "nightly-etl" does not exist (${KNOWN})`],
  ['pause an unknown schedule', ['schedules', 'pause', 'nightly-etl'], `emrflow: schedule "nightly-etl" does not exist (${KNOWN})`],
  ['unpause an unknown schedule', ['schedules', 'unpause', 'nightly-etl'], `emrflow: schedule "nightly-etl" does not exist (${KNOWN})`],
  ['delete an unknown schedule', ['schedules', 'delete', 'nightly-etl'], `emrflow: schedule "nightly-etl" does not exist (${KNOWN})`],
  ['an empty schedule id', ['schedules', 'trigger', ''], `emrflow: the schedule id is empty (${KNOWN})`],
  ['backfill an unknown schedule', ['schedules', 'backfill', 'nightly-etl', '--from', '2026-02-01', '--to', '2026-02-03'],
    'emrflow: backfill is for the daily schedule "songs-etl-daily", not "nightly-etl"'],
  ['backfill --from after --to', ['schedules', 'backfill', 'songs-etl-daily', '--from', '2026-02-03', '--to', '2026-02-01'],
    'emrflow: --from 2026-02-03 is after --to 2026-02-01'],
  ['a unitless --older-than', ['clusters', 'sweep', '--older-than', '90'], 'emrflow: --older-than 90: expected a duration such as 90m, 2h or 1d'],
  ['a negative --older-than', ['clusters', 'sweep', '--older-than=-2h'], 'emrflow: --older-than -2h: expected a duration such as 90m, 2h or 1d'],
  ['a misspelt option', ['run', '--dat', '2026-02-01'], "emrflow: unknown option '--dat' (Did you mean --date?) (add --help for usage)"],
  ['an unknown command', ['lanuch'], "emrflow: unknown command 'lanuch' (add --help for usage)"],
  ['a missing schedule id', ['schedules', 'trigger'], "emrflow: missing required argument 'id' (add --help for usage)"],
];

/**
 * The CLI in a directory whose dl.cfg points at the test server, as a configured user runs it;
 * with `withConfig` false, in a directory without dl.cfg (the address from the environment).
 */
function emrflow(args: string[], withConfig = true) {
  return withConfig
    ? run(args, {}, { dlCfg: `[temporal]\naddress = ${temporalAddress()}\n` })
    : run(args, { EMRFLOW_TEMPORAL_ADDRESS: temporalAddress() });
}

// Each case is a process start (~1-2 s of tsx); concurrent cases overlap their waiting.
test.concurrent.each(CASES)('%s: one line, exit 2', async (_what, args, line) => {
  const r = await emrflow(args);
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toEqual([line]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
});

// Without a dl.cfg the CLI notes that it uses the defaults, but not in front of a usage error.
test.concurrent.each(CASES.filter(([what]) => /unknown schedule|month 13|unknown mode/.test(what)))(
  'without a dl.cfg, %s: still one line, exit 2', async (_what, args, line) => {
    const r = await emrflow(args, false);
    expect(r.stderr.split('\n').filter(Boolean), r.stderr).toEqual([line]);
    expect(r.code).toBe(2);
  });
