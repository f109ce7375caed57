// #22 Spark parity: what the setup installs, what pytest and local runs use, and what the default
// EMR release runs are the same Spark; the scripts that run on EMR nodes need no newer Python than
// those nodes have. spark-jobs/emr-releases.json is the one table of which release runs what.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadConfig } from '../../infra/config';
import { repoRoot, venvBin } from '../../infra/paths';
import { testTempDir } from '../support/temp-dir';

interface ReleaseTable { default: string; releases: Record<string, { spark: string; python: string }> }
const table = JSON.parse(readFileSync(join(repoRoot, 'spark-jobs', 'emr-releases.json'), 'utf8')) as ReleaseTable;
const defaultRow = table.releases[table.default]!;
const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
const lockedPyspark = /^pyspark==(\S+)/m.exec(readFileSync(join(repoRoot, 'requirements.lock'), 'utf8'))?.[1];

test('the default EMR and EMR Serverless release labels run the Spark that the lock installs locally', () => {
  const { config } = loadConfig({ env: {}, cwd: testTempDir('emrflow-parity-') });
  expect(config.emr.release_label).toBe(table.default);
  expect(config.emr_serverless.release_label).toBe(table.default);
  for (const label of [config.emr.release_label, config.emr_serverless.release_label]) {
    const row = table.releases[label];
    if (!row) throw new Error(`${label} has no row in spark-jobs/emr-releases.json`);
    expect(lockedPyspark, 'requirements.lock pins no pyspark').toBeDefined();
    expect(majorMinor(lockedPyspark!), `local pyspark ${lockedPyspark} vs ${label}'s Spark ${row.spark}`).toBe(majorMinor(row.spark));
  }
});

test('.venv holds the pyspark the lock names, and dl.cfg.example and README name the same pairing', () => {
  const installed = execFileSync(venvBin('python'), ['-c', 'import pyspark; print(pyspark.__version__)'], { encoding: 'utf8' }).trim();
  expect(installed).toBe(lockedPyspark);
  const example = readFileSync(join(repoRoot, 'dl.cfg.example'), 'utf8');
  expect(example.match(/^release_label = (\S+)$/gm)).toEqual([`release_label = ${table.default}`, `release_label = ${table.default}`]);
  expect(example).toContain(`Spark ${defaultRow.spark}`);
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  expect(readme).toContain(`\`${table.default}\` (Spark ${defaultRow.spark}`);
  expect(readme).toContain(`pyspark ${lockedPyspark}`);
});

// vermin reads the code (syntax, standard-library calls, keyword arguments) and names the oldest
// Python that runs it; --violations lists only what needs newer than the target.
const vermin = (files: string[], python: string) =>
  spawnSync(venvBin('vermin'), [`--target=${python}-`, '--violations', '--no-tips', '--eval-annotations', ...files], { encoding: 'utf8' });

test("the job and the report scripts need no Python newer than the default release's nodes run", () => {
  const python = defaultRow.python;
  const r = vermin([join(repoRoot, 'spark-jobs', 'etl.py'), join(repoRoot, 'spark-jobs', 'reports')], python);
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);

  // The check can fail: a script using zip(strict=) (3.10) is refused for a 3.9 target.
  const dir = testTempDir('emrflow-vermin-');
  const newer = join(dir, 'newer.py');
  writeFileSync(newer, 'def pairs(a, b):\n    return list(zip(a, b, strict=True))\n');
  const refused = vermin([newer], python);
  expect(refused.status).not.toBe(0);
  expect(refused.stdout).toMatch(/strict.*3\.10/);
});
