// The CDK app (deploy/cdk.json runs it): one emrflow stack from the context, checked by
// cdk-nag's AwsSolutions rules. A bad context stops synth with one line naming the key.
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';
import { ContextError } from './context';

const app = new App();
try {
  buildApp(app);
} catch (e) {
  if (!(e instanceof ContextError)) throw e;
  process.stderr.write(`emrflow deploy: ${e.message}\n`);
  process.exit(2);
}
app.synth();
