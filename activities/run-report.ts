// Reads the run report the Spark job writes to <output>/_reports/<reportId>.json.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../workflows/shared';
import { parseS3Uri } from './s3-uri';

export function reportLocation(outputUri: string, reportId: string): string {
  if (!/^[A-Za-z0-9._:-]+$/.test(reportId)) throw new Error(`invalid report id "${reportId}"`);
  const base = outputUri.replace(/\/+$/, '');
  if (base.startsWith('s3://')) return `${base}/_reports/${reportId}.json`;
  const dir = base.startsWith('file://') ? fileURLToPath(base) : base;
  return join(dir, '_reports', `${reportId}.json`);
}

export async function readRunReport(outputUri: string, reportId: string, s3: () => S3Client): Promise<RunReport> {
  const where = reportLocation(outputUri, reportId);
  let text: string;
  try {
    if (where.startsWith('s3://')) {
      const { bucket, key } = parseS3Uri(where);
      const res = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(30_000) });
      text = await res.Body!.transformToString();
    } else {
      text = await readFile(where, 'utf8');
    }
  } catch (e) {
    throw new Error(`run report ${where} could not be read: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as RunReport;
  } catch (e) {
    throw new Error(`run report ${where} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
