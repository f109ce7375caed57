// The app with its one stack and cdk-nag's AwsSolutions checks, from a context: what app.ts
// synthesizes and what test/deploy/ synthesizes, so both check the same thing.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readContext, type DeployContext } from './context';
import { EmrflowStack } from './stack';

export function buildApp(app: App): { app: App; stack: EmrflowStack; ctx: DeployContext } {
  const ctx = readContext((key) => app.node.tryGetContext(key));
  const stack = new EmrflowStack(app, (app.node.tryGetContext('emrflow:stackName') as string | undefined) ?? 'Emrflow', ctx);
  // Findings fail synth (cdk-nag 3 is a policy validation plugin); nag-suppressions.ts holds the
  // accepted ones, written into the template's Metadata (cdk_nag) for whoever reviews it.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, stack, ctx };
}
