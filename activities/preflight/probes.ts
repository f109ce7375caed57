// Read-only look-ups of the AWS resources a run needs. `aws check` turns them into check lines;
// `aws bootstrap` uses them to decide what to create.
import { GetInstanceProfileCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { callTimeout } from '../aws-clients';
import { awsProblem, type AwsProblem } from './aws-problem';
import type { BucketNeed } from './emr-targets';

export type Probe<T> = { found: true; value: T } | { found: false; problem: AwsProblem };

async function probe<T>(call: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { found: true, value: await call() };
  } catch (e) {
    return { found: false, problem: awsProblem(e) };
  }
}

/** Whose credentials these are (GetCallerIdentity needs no permission). */
export const probeCaller = (sts: STSClient): Promise<Probe<string>> =>
  probe(async () => (await sts.send(new GetCallerIdentityCommand({}), callTimeout())).Arn ?? 'an unnamed identity');

/**
 * Lists at most one key under the configured prefix rather than HeadBucket: it needs only the
 * prefix-scoped s3:ListBucket the worker's policy grants, and says "NoSuchBucket" vs "AccessDenied".
 */
export const probeBucket = (s3: S3Client, need: BucketNeed): Promise<Probe<true>> =>
  probe(async () => {
    await s3.send(new ListObjectsV2Command({ Bucket: need.bucket, Prefix: need.prefix ? `${need.prefix}/` : undefined, MaxKeys: 1 }), callTimeout());
    return true as const;
  });

/** The role's ARN and its trust policy (decoded; IAM returns it URL-encoded). */
export const probeRole = (iam: IAMClient, roleName: string): Promise<Probe<{ arn: string; trustPolicy?: string }>> =>
  probe(async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }), callTimeout())).Role;
    const doc = role?.AssumeRolePolicyDocument;
    return { arn: role?.Arn ?? roleName, trustPolicy: doc ? decodeURIComponent(doc) : undefined };
  });

export const probeInstanceProfile = (iam: IAMClient, name: string): Promise<Probe<{ arn: string; roles: string[] }>> =>
  probe(async () => {
    const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }), callTimeout())).InstanceProfile;
    return { arn: profile?.Arn ?? name, roles: (profile?.Roles ?? []).map((r) => r.RoleName ?? '?') };
  });
