// The buckets of [s3] and [datalake], as `aws bootstrap` makes them (same names: emrTargets
// reads the same settings; public access blocked, SSE-S3, tagged emrflow:managed), plus what a
// reviewed stack should have: TLS only, server access logs, and lifecycle rules for the logs
// and for staging no run cleaned up. Buckets are retained when the stack is deleted: they hold
// the lake.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EmrflowConfig } from '../infra/config';
import { emrTargets } from '../activities/preflight/emr-targets';
import { serverlessTargets } from '../activities/preflight/serverless-checks';
import { parseS3Uri } from '../activities/s3-uri';

export interface BucketsProps { config: EmrflowConfig; logRetentionDays: number }

const prefixOf = (uri: string) => parseS3Uri(uri).key.replace(/\/+$/, '');
const under = (prefix: string, sub: string) => (prefix ? `${prefix}/${sub}` : sub);

export class EmrflowBuckets extends Construct {
  readonly buckets: Bucket[] = [];
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, { config, logRetentionDays }: BucketsProps) {
    super(scope, id);
    const targets = config.cluster.provider === 'emr-serverless' ? serverlessTargets(config) : emrTargets(config);
    const hardened = { blockPublicAccess: BlockPublicAccess.BLOCK_ALL, encryption: BucketEncryption.S3_MANAGED, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...hardened,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(Math.max(logRetentionDays, 90)) }],
    });
    const logUri = config.s3.log_uri ?? config.emr_serverless.log_uri;
    // emrflow removes a run's staging itself after [quality] staging_keep_hours; this is the
    // backstop for staging nobody came back for, well after that (a pending publish reads it).
    const stagingDays = Math.ceil(config.quality.staging_keep_hours / 24) + 14;
    for (const [i, need] of targets.buckets.entries()) {
      const rules: LifecycleRule[] = [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }];
      // Only under a prefix: logs at a bucket's root would make the rule expire the whole bucket.
      if (logUri && parseS3Uri(logUri).bucket === need.bucket && prefixOf(logUri))
        rules.push({ id: 'expire-emr-logs', prefix: `${prefixOf(logUri)}/`, expiration: Duration.days(logRetentionDays) });
      const output = config.datalake.output_data;
      if (parseS3Uri(output).bucket === need.bucket)
        rules.push({ id: 'expire-abandoned-staging', prefix: under(prefixOf(output), '_staging/'), expiration: Duration.days(stagingDays) });
      this.buckets.push(new Bucket(this, `Bucket${i}`, {
        ...hardened, bucketName: need.bucket, lifecycleRules: rules,
        serverAccessLogsBucket: this.accessLogs, serverAccessLogsPrefix: `${need.bucket}/`,
      }));
    }
  }
}
