// Every command's --help ends with an example, and every option it offers is in the README's
// command table: the docs and the code say the same thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { emrflow } from '../support/cli-process';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const cliSection = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('\n## ', readme.indexOf('## The CLI') + 5));

/** Commands listed under "Commands:" in a help text. */
const listed = (help: string): string[] =>
  [...(help.split('\nCommands:\n')[1] ?? '').matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');

/** Every command and subcommand, found from the help texts themselves: a new command is checked too. */
async function allCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const top of listed((await emrflow(['--help'])).stdout)) {
    out.push(top);
    for (const sub of listed((await emrflow([top, '--help'])).stdout)) out.push(`${top} ${sub}`);
  }
  return out;
}

const COMMANDS = await allCommands();

test('the commands are found', () => {
  expect(COMMANDS).toEqual(expect.arrayContaining(['run', 'runs list', 'runs show', 'logs', 'rerun', 'schedules pause', 'aws check']));
});

test.each(COMMANDS)('emrflow %s --help has an example, and the README names the command and each of its options', async (command) => {
  const r = await emrflow([...command.split(' '), '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/\nExamples?:\n {2}\$ /);
  expect(cliSection).toContain(`emrflow ${command}`);
  const options = [...r.stdout.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
  const row = cliSection.split('\n').filter((l) => l.includes(`emrflow ${command}`)).join('\n');
  for (const option of options) expect(row, `${command} ${option}`).toContain(option);
});
