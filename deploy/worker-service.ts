// The worker as an ECS Fargate service: the image (Dockerfile) with its settings as EMRFLOW_*
// variables and its secrets (the Temporal API key, webhook URLs) from Secrets Manager, the
// worker role with infra/aws/worker-policy.json, logs to CloudWatch. Deploys roll: new tasks
// start and poll before old ones get SIGTERM and hand their work back (README "Deploy").
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster, ContainerImage, ContainerInsights, FargateService, FargateTaskDefinition, LogDrivers, Secret as EcsSecret,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DeployContext } from './context';
import { variableOf } from './context';
import { policyValues, renderWorkerPolicy } from './worker-policy';

/** Where the worker's health and metrics endpoints listen, inside the task (loopback). */
export const HEALTH_PORT = 8080;
export const METRICS_PORT = 9464;
/** The image's unprivileged user (Dockerfile USER). */
export const WORKER_USER = '1000:1000';

export class WorkerService extends Construct {
  readonly role: Role;
  readonly task: FargateTaskDefinition;
  readonly service: FargateService;

  constructor(scope: Construct, id: string, ctx: DeployContext) {
    super(scope, id);
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: ctx.vpcId, availabilityZones: ctx.availabilityZones, privateSubnetIds: ctx.subnetIds });
    this.role = new Role(this, 'WorkerRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'emrflow worker: infra/aws/worker-policy.json',
      inlinePolicies: { 'emrflow-worker': PolicyDocument.fromJson(renderWorkerPolicy(policyValues(ctx.config))) },
    });
    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    const task = this.task = new FargateTaskDefinition(this, 'Task', { cpu: 512, memoryLimitMiB: 1024, taskRole: this.role });
    // The root file system is read-only; tsx compiles into /tmp, which this volume keeps writable.
    task.addVolume({ name: 'tmp' });
    const secrets = Object.fromEntries(Object.entries(ctx.secrets).map(([dotted, name]) => [
      variableOf('emrflow:secrets', dotted),
      EcsSecret.fromSecretsManager(Secret.fromSecretNameV2(this, `Secret-${dotted}`, name)),
    ]));
    const container = task.addContainer('worker', {
      image: ContainerImage.fromRegistry(ctx.image),
      user: WORKER_USER,
      readonlyRootFilesystem: true,
      environment: {
        ...ctx.environment,
        EMRFLOW_LOG_FORMAT: 'json',
        EMRFLOW_WORKER_HEALTH_PORT: String(HEALTH_PORT),
        EMRFLOW_WORKER_METRICS_PORT: String(METRICS_PORT),
      },
      secrets,
      logging: LogDrivers.awsLogs({ logGroup: logs, streamPrefix: 'worker' }),
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${HEALTH_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(30), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(60),
      },
      // Time to hand in-flight tasks back to Temporal after SIGTERM (the systemd unit's 60 s).
      stopTimeout: Duration.seconds(60),
    });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    const cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED });
    // No inbound rule: the worker only calls out (Temporal, AWS APIs); its endpoints are loopback.
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', { vpc, description: 'emrflow worker: outbound only', allowAllOutbound: true });
    this.service = new FargateService(this, 'Service', {
      cluster, taskDefinition: task, desiredCount: ctx.workerCount, securityGroups: [securityGroup],
      vpcSubnets: { subnets: vpc.privateSubnets }, assignPublicIp: false,
      // Zero lost runs: new tasks join before old ones stop; a release that never gets healthy rolls back.
      minHealthyPercent: 100, maxHealthyPercent: 200, circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
    });
  }
}
