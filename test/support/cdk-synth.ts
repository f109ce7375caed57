// One synthesis of the CDK app per test file, as `cdk synth` does it (deploy/cdk.json's feature
// flags, then the context, then deploy/build-app.ts), into a temp dir the file removes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../deploy/build-app';
import type { DeployContext } from '../../deploy/context';
import { repoRoot } from '../../infra/paths';
import { testTempDir } from './temp-dir';

export const deployDir = join(repoRoot, 'deploy');
export const exampleContext = (): Record<string, unknown> => JSON.parse(readFileSync(join(deployDir, 'cdk.context.example.json'), 'utf8')) as Record<string, unknown>;
const cdkJsonContext = (): Record<string, unknown> => (JSON.parse(readFileSync(join(deployDir, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export interface Synthesized {
  template: Template;
  /** The raw template, for cfn-lint and for walking every policy. */
  json: Record<string, unknown> & { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  templateFile: string;
  ctx: DeployContext;
  /** cdk-nag's unacknowledged findings, from the cloud assembly's validation report (none: it lists no plugin). */
  nagViolations: string[];
  /** What was acknowledged, per resource: cdk-nag writes it into the template's Metadata. */
  acknowledged: { resource: string; id: string; reason: string }[];
}

/** Synthesizes the example context with `overrides`; throws as `cdk synth` fails (cdk-nag findings too). */
export function synthesize(overrides: Record<string, unknown> = {}): Synthesized {
  const outdir = testTempDir('emrflow-cdk-');
  const { app, stack, ctx } = buildApp(new App({ outdir, context: { ...cdkJsonContext(), ...exampleContext(), ...overrides } }));
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
  };
  const nagReport = report.pluginReports.find((p) => p.pluginName === 'AwsSolutions');
  const json = artifact.template as Synthesized['json'];
  const acknowledged = Object.entries(json.Resources).flatMap(([resource, r]) =>
    ((r as { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }).Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .map((rule) => ({ resource, ...rule })));
  return {
    template: Template.fromJSON(artifact.template as Record<string, unknown>),
    json,
    templateFile: join(outdir, artifact.templateFile),
    ctx,
    nagViolations: (nagReport?.violations ?? []).map((v) => v.ruleName),
    acknowledged,
  };
}
