// Staging a job script on S3 under its content hash, shared by the emr and emr-serverless
// providers: the same script is uploaded once, a changed one gets a new key, and a run always
// reads the bytes it was started with.
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { StagedJob } from '../../workflows/shared';
import { callTimeout } from '../aws-clients';
import { joinKey, parseS3Uri } from '../s3-uri';

/**
 * S3 answers 403 instead of 404 for a missing key to a caller without s3:ListBucket on the
 * bucket, and the recommended policy grants ListBucket only with an s3:prefix (which that check
 * does not carry): for a read of a key under our own prefixes, 403 means "not there (yet)".
 */
export const isMissingOrHidden = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.name === 'Forbidden' || err.name === 'AccessDenied'
    || err.$metadata?.httpStatusCode === 404 || err.$metadata?.httpStatusCode === 403;
};

export async function stageScript(s3: S3Client, codeUri: string, scriptPath: string): Promise<StagedJob> {
  const body = await readFile(scriptPath).catch((e: Error) => {
    throw new Error(`cannot read the job script ${scriptPath}: ${e.message}`);
  });
  const contentHash = createHash('sha256').update(body).digest('hex');
  const { bucket, key: prefix } = parseS3Uri(codeUri);
  const key = joinKey(prefix, contentHash, 'etl.py');
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), callTimeout());
  } catch (e) {
    if (!isMissingOrHidden(e)) throw e;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/x-python' }), callTimeout());
  }
  return { scriptUri: `s3://${bucket}/${key}`, contentHash };
}
