// #22 Node: every package the lock installs runs on the oldest Node this project supports
// (package.json engines), so an upgrade that pulls in a Node-22-only AWS SDK (January 2027) fails
// here, on a test, rather than at a user's run time. .npmrc's engine-strict makes `npm ci` refuse it too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
type Locked = Record<string, { version?: string; engines?: { node?: string } | string[] }>;
const locked = (JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Locked }).packages;

const oldestSupported = semver.minVersion(pkg.engines.node)!.version;

test('engines names a Node 20 floor that this process meets, and npm enforces engines', () => {
  expect(semver.major(oldestSupported)).toBe(20);
  expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  expect(readFileSync(join(repoRoot, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
});

test('every locked package runs on the oldest supported Node', () => {
  const refusing = Object.entries(locked)
    .map(([path, info]) => ({ name: path.replace(/^.*node_modules\//, ''), version: info.version, range: Array.isArray(info.engines) ? undefined : info.engines?.node }))
    .filter((p) => p.name && p.range && !semver.satisfies(oldestSupported, p.range))
    .map((p) => `${p.name}@${p.version} needs node ${p.range}`);
  expect(refusing, `locked packages that do not run on Node ${oldestSupported}`).toEqual([]);
  // The check has teeth: the AWS SDK line from January 2027 would be refused.
  expect(semver.satisfies(oldestSupported, '>=22')).toBe(false);
});
