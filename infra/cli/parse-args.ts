// Validation of CLI argument values: one line naming the argument and what was expected.
import { UsageError } from './exit-codes';

/** `--date ""` would otherwise read as "--date : expected ..."; say it is empty instead. */
function shown(flag: string, value: string): string {
  return value.trim() === '' ? `${flag} is empty` : `${flag} ${value}`;
}

export function parseRunDate(value: string, flag = '--date'): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== value)
    throw new UsageError(`${shown(flag, value)}: expected a calendar date YYYY-MM-DD`);
  return value;
}

export function parseMode(value: string): 'full' | 'daily' {
  if (value !== 'full' && value !== 'daily') throw new UsageError(`${shown('--mode', value)}: expected full or daily`);
  return value;
}
