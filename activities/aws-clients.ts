// AWS SDK clients built from [aws]: region, optional profile or static keys, optional endpoint
// (an emulator, with path-style S3). Every request has a connection and a response timeout.
import { AthenaClient } from '@aws-sdk/client-athena';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EMRClient } from '@aws-sdk/client-emr';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { EmrflowConfig } from '../infra/config';

export const AWS_CALL_TIMEOUT_MS = 30_000;

/** Per-call abort signal: no AWS call waits longer than this, whatever the SDK's retries do. */
export const callTimeout = (ms = AWS_CALL_TIMEOUT_MS) => ({ abortSignal: AbortSignal.timeout(ms) });

function common(aws: EmrflowConfig['aws']) {
  return {
    region: aws.region,
    ...(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.endpoint_url ? { endpoint: aws.endpoint_url } : {}),
    ...(aws.access_key_id && aws.secret_access_key
      ? { credentials: { accessKeyId: aws.access_key_id, secretAccessKey: aws.secret_access_key } }
      : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: AWS_CALL_TIMEOUT_MS },
  };
}

export const emrClient = (aws: EmrflowConfig['aws']): EMRClient => new EMRClient(common(aws));
export const emrServerlessClient = (aws: EmrflowConfig['aws']): EMRServerlessClient => new EMRServerlessClient(common(aws));
export const s3Client = (aws: EmrflowConfig['aws']): S3Client => new S3Client({ ...common(aws), forcePathStyle: true });
// IAM is a global service: the SDK sends it to iam.amazonaws.com whatever the region says.
export const iamClient = (aws: EmrflowConfig['aws']): IAMClient => new IAMClient(common(aws));
export const stsClient = (aws: EmrflowConfig['aws']): STSClient => new STSClient(common(aws));
export const glueClient = (aws: EmrflowConfig['aws']): GlueClient => new GlueClient(common(aws));
// EC2 only for the preflight's read-only look-ups of [emr] subnets and security groups.
export const ec2Client = (aws: EmrflowConfig['aws']): EC2Client => new EC2Client(common(aws));
export const athenaClient = (aws: EmrflowConfig['aws']): AthenaClient => new AthenaClient(common(aws));
