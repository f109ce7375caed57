// #16 item 16: the setup (`npm install` inside infra/bootstrap.mjs, which `npm test` runs first)
// must leave the committed package-lock.json as it is, or a new user's fresh clone shows a
// modified file after the first `npm test`. npm 11 used to rewrite the lock with other
// platforms' optional packages; the committed lock is the one npm leaves unchanged.
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';

const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' });

test('item 16: after the setup, package-lock.json is byte-identical to the committed one', () => {
  // Compare with the index rather than HEAD, so a developer who staged a lock change on purpose
  // is not told otherwise; CI and a fresh clone have nothing staged.
  const changed = git('diff', '--stat', '--', 'package-lock.json').trim();
  expect(changed, 'the setup rewrote package-lock.json: commit the lock `npm install --package-lock-only` leaves').toBe('');
});
