// Buckets bootstrap creates: in the configured region, every kind of public access blocked,
// default encryption SSE-S3. Buckets that already exist are never changed.
import {
  CreateBucketCommand, PutBucketEncryptionCommand, PutBucketTaggingCommand, PutPublicAccessBlockCommand,
  type BucketLocationConstraint, type S3Client,
} from '@aws-sdk/client-s3';
import { callTimeout } from '../../activities/aws-clients';
import { awsProblem } from '../../activities/preflight/aws-problem';
import type { BucketNeed } from '../../activities/preflight/emr-targets';
import { probeBucket } from '../../activities/preflight/probes';
import { MANAGED_TAG, type BootstrapAction } from './bootstrap-types';

const HARDENING = 'public access blocked, default encryption SSE-S3 (AES256)';

export async function ensureBucket(s3: S3Client, need: BucketNeed, region: string, dryRun: boolean): Promise<BootstrapAction> {
  const base = { kind: 'bucket' as const, name: `s3://${need.bucket}` };
  const uses = need.uses.join(', ');
  const found = await probeBucket(s3, need);
  if (found.found) return { ...base, action: 'exists', detail: `(${uses}) left as it is` };
  if (found.problem.kind !== 'missing') {
    return { ...base, action: 'failed', detail: `exists but is not usable: ${found.problem.message} — fix: use a bucket this account owns, in ${region}` };
  }
  if (dryRun) return { ...base, action: 'would create', detail: `in ${region}, ${HARDENING} (${uses})` };
  try {
    await createHardenedBucket(s3, need.bucket, region);
  } catch (e) {
    const problem = awsProblem(e);
    const taken = (e as { name?: string }).name === 'BucketAlreadyExists';
    const fix = taken ? 'bucket names are global: pick another name in dl.cfg' : 'check that these credentials may create buckets (s3:CreateBucket, s3:PutBucket*)';
    return { ...base, action: 'failed', detail: `${problem.message} — fix: ${fix}` };
  }
  return { ...base, action: 'created', detail: `in ${region}, ${HARDENING} (${uses})` };
}

async function createHardenedBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  // us-east-1 is the one region that refuses an explicit LocationConstraint.
  const location = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }), callTimeout());
  } catch (e) {
    // A previous bootstrap that stopped half-way created it: harden it now.
    if ((e as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
  await s3.send(new PutPublicAccessBlockCommand({
    Bucket: bucket,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }), callTimeout());
  await s3.send(new PutBucketEncryptionCommand({
    Bucket: bucket,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
  }), callTimeout());
  await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ ...MANAGED_TAG }] } }), callTimeout());
}
