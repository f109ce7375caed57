// The lake a run writes, as one key: the same output location however it is spelled
// (trailing slashes, s3a://, file://, a relative path) gives the same lock.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function lakeKey(outputUri: string): string {
  const s3 = /^s3[an]?:\/\/([^/]+)\/*(.*)$/i.exec(outputUri.trim());
  if (s3) {
    const key = s3[2]!.split('/').filter(Boolean).join('/');
    return `s3://${s3[1]!.toLowerCase()}${key ? `/${key}` : ''}`;
  }
  const path = outputUri.startsWith('file://') ? fileURLToPath(outputUri) : outputUri;
  return resolve(path).replace(/\/+$/, '') || '/';
}

/** The lock workflow's id for a lake: one lock per output location in the namespace. */
export const lakeLockWorkflowId = (outputUri: string): string => `emrflow-lake-lock:${lakeKey(outputUri)}`;
