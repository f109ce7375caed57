// Issue #26, "Bad input": a context missing a required value or naming a provider the image does
// not serve stops synth with one line naming the context key. The real `cdk synth` (the CLI in
// node_modules, as `npx cdk synth` runs it) is run twice: with a bad provider, and with the
// whole example context, which synthesizes with no AWS account.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ContextError, readContext } from '../../deploy/context';
import { repoRoot } from '../../infra/paths';
import { deployDir, exampleContext } from '../support/cdk-synth';
import { testTempDir } from '../support/temp-dir';

const without = (key: string) => { const c = exampleContext(); delete c[key]; return c; };
const problem = (ctx: Record<string, unknown>) => {
  try {
    readContext((k) => ctx[k]);
  } catch (e) {
    if (e instanceof ContextError) return e.message;
    throw e;
  }
  return 'no error';
};

test('a context without the VPC, its subnets, the Temporal endpoint, the image or the deployment names the missing key', () => {
  expect(problem(without('emrflow:vpcId'))).toBe('context emrflow:vpcId is missing (see deploy/cdk.context.example.json)');
  expect(problem(without('emrflow:temporalAddress'))).toBe('context emrflow:temporalAddress is missing (see deploy/cdk.context.example.json)');
  expect(problem(without('emrflow:subnetIds'))).toBe('context emrflow:subnetIds is missing: give at least one a subnet id (subnet-…) (see deploy/cdk.context.example.json)');
  expect(problem(without('emrflow:image'))).toBe('context emrflow:image is missing (see deploy/cdk.context.example.json)');
  expect(problem(without('emrflow:deployment'))).toBe('context emrflow:deployment is missing (see deploy/cdk.context.example.json)');
});

test('wrong values name their key: a provider the image does not serve, a malformed id, an unknown or invalid setting', () => {
  expect(problem({ ...exampleContext(), 'emrflow:provider': 'local' })).toBe('context emrflow:provider "local" is not a provider the image serves: use emr or emr-serverless');
  expect(problem({ ...exampleContext(), 'emrflow:vpcId': 'vpc-1' })).toBe('context emrflow:vpcId "vpc-1" is not a VPC id (vpc-…)');
  expect(problem({ ...exampleContext(), 'emrflow:settings': { 's3.code_url': 's3://b/c' } })).toBe('context emrflow:settings: "s3.code_url" is not a dl.cfg key (section.key, see dl.cfg.example)');
  const settings = { ...(exampleContext()['emrflow:settings'] as Record<string, string>), 'datalake.output_data': '/var/lake' };
  expect(problem({ ...exampleContext(), 'emrflow:settings': settings })).toBe('context emrflow:settings: [datalake] output_data must be an s3:// URI when [cluster] provider = emr, got "/var/lake"');
  expect(problem(exampleContext())).toBe('no error');
});

/** `cdk synth` with the context as -c flags (lists as a,b; objects as JSON), output in a temp dir. */
function cdkSynth(context: Record<string, unknown>): Promise<{ code: number | null; stderr: string; outdir: string }> {
  const outdir = testTempDir('emrflow-cdk-cli-');
  const flags = Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`]);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--no-notices', '-q', '-o', outdir, ...flags], {
      cwd: deployDir,
      // No account, no credentials, no telemetry: synth must not need AWS.
      env: { PATH: process.env.PATH ?? '', HOME: outdir, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr, outdir }));
  });
}

test('`cdk synth` with a provider the image does not serve stops with one line naming emrflow:provider', async () => {
  const r = await cdkSynth({ ...exampleContext(), 'emrflow:provider': 'spark' });
  expect(r.code).not.toBe(0);
  const ours = r.stderr.split('\n').filter((l) => l.startsWith('emrflow deploy:'));
  expect(ours).toEqual(['emrflow deploy: context emrflow:provider "spark" is not a provider the image serves: use emr or emr-serverless']);
  // Besides it, only the CLI's own note that the app exited: no stack trace.
  expect(r.stderr).not.toMatch(/\n\s+at /);
}, 120_000);

test('`cdk synth` with the example context synthesizes the stack with no AWS account', async () => {
  const r = await cdkSynth(exampleContext());
  expect(r.code, r.stderr).toBe(0);
  expect(existsSync(join(r.outdir, 'Emrflow.template.json'))).toBe(true);
}, 120_000);
