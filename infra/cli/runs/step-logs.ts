// Where a run's Spark driver logs are, and reading them: the local provider's step files
// (<state_dir>/clusters/<cluster>/steps/<step>/stdout.log|stderr.log), or EMR's copies under
// [s3] log_uri (<cluster>/steps/<step>/stdout.gz|stderr.gz, which EMR uploads every few minutes,
// and the YARN container logs under <cluster>/containers/).
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { callTimeout } from '../../../activities/aws-clients';
import { joinKey, parseS3Uri } from '../../../activities/s3-uri';
import type { EmrflowConfig } from '../../config';

export type Stream = 'stdout' | 'stderr';

export interface StepRef { clusterId: string; stepId: string }

export const isLocalCluster = (clusterId: string): boolean => clusterId.startsWith('local-');

export function localLogPath(config: EmrflowConfig, step: StepRef, stream: Stream): string {
  return join(config.local.state_dir, 'clusters', step.clusterId, 'steps', step.stepId, `${stream}.log`);
}

/** Bytes of a local log from `offset` on (the file may not exist yet). */
export async function readLocalFrom(path: string, offset: number): Promise<{ text: string; size: number }> {
  if (!existsSync(path)) return { text: '', size: offset };
  const size = (await stat(path)).size;
  if (size <= offset) return { text: '', size };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return { text: buf.toString('utf8'), size };
  } finally {
    await fh.close();
  }
}

export function s3LogUris(config: EmrflowConfig, step: StepRef, stream: Stream): { object: string; containers: string } {
  if (config.cluster.provider === 'emr-serverless') {
    // A job run's logs: <log uri>/applications/<app>/jobs/<job run>/SPARK_DRIVER/<stream>.gz (the handle starts with the app id).
    const { bucket, key } = parseS3Uri((config.emr_serverless.log_uri ?? config.s3.log_uri)!);
    const jobDir = joinKey(key, 'applications', step.clusterId.split('/')[0]!, 'jobs', step.stepId);
    return { object: `s3://${bucket}/${joinKey(jobDir, 'SPARK_DRIVER', `${stream}.gz`)}`, containers: `s3://${bucket}/${jobDir}/` };
  }
  if (!config.s3.log_uri) throw new Error('[s3] log_uri is not set: EMR logs are read from there');
  const { bucket, key } = parseS3Uri(config.s3.log_uri);
  return {
    object: `s3://${bucket}/${joinKey(key, step.clusterId, 'steps', step.stepId, `${stream}.gz`)}`,
    containers: `s3://${bucket}/${joinKey(key, step.clusterId, 'containers')}/`,
  };
}

const notFound = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
};

/** The step's log from S3, or undefined while EMR has not uploaded it yet. */
export async function readS3Log(s3: S3Client, uri: string): Promise<string | undefined> {
  const { bucket, key } = parseS3Uri(uri);
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), callTimeout());
    const bytes = await res.Body!.transformToByteArray();
    return (key.endsWith('.gz') ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** The container logs of the stream (the driver's and executors'), for when the step log says little. */
export async function containerLogs(s3: S3Client, containersUri: string, stream: Stream): Promise<string[]> {
  const { bucket, key } = parseS3Uri(containersUri);
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), callTimeout())
      .catch((e: unknown) => { if (notFound(e)) return { Contents: [], NextContinuationToken: undefined }; throw e; });
    for (const o of page.Contents ?? []) if (o.Key && new RegExp(`/${stream}(\\.gz)?$`).test(o.Key)) found.push(`s3://${bucket}/${o.Key}`);
    token = page.NextContinuationToken;
  } while (token);
  return found;
}
