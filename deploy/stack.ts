// Everything an emrflow deployment needs on AWS, in one stack: what `emrflow aws bootstrap`
// creates (same names) and the worker service. cdk-nag's AwsSolutions rules run over it
// (app.ts); nag-suppressions.ts says why each finding that stays is accepted.
import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MANAGED_TAG } from '../infra/aws/bootstrap-types';
import { EmrflowBuckets } from './buckets';
import { Catalog } from './catalog';
import type { DeployContext } from './context';
import { EmrRoles } from './emr-roles';
import { acknowledgeAcceptedFindings } from './nag-suppressions';
import { WorkerService } from './worker-service';

export class EmrflowStack extends Stack {
  readonly worker: WorkerService;

  constructor(scope: Construct, id: string, ctx: DeployContext, props: StackProps = {}) {
    super(scope, id, { ...props, env: { region: ctx.region }, description: `emrflow deployment ${ctx.temporal.deployment}` });
    Tags.of(this).add(MANAGED_TAG.Key, MANAGED_TAG.Value);
    new EmrflowBuckets(this, 'Buckets', { config: ctx.config, logRetentionDays: ctx.logRetentionDays });
    const spark = new EmrRoles(this, 'Spark', { config: ctx.config });
    new Catalog(this, 'Catalog', { config: ctx.config });
    this.worker = new WorkerService(this, 'Worker', ctx);
    acknowledgeAcceptedFindings(ctx.config, { workerRole: this.worker.role, emrRoles: spark.managedPolicyRoles, executionRole: spark.executionRole, task: this.worker.task });
  }
}
