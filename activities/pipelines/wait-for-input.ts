// The waitForInput sensor: polls a local path or an S3 prefix until something is there,
// heartbeating; fails (non-retryable) after its timeout, saying what it waited for. A restarted
// attempt resumes the clock from the last heartbeat, so retries do not extend the timeout.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../s3-uri';

export interface SensorProgress { path: string; waitedSeconds: number }

export async function inputExists(path: string, s3: () => S3Client): Promise<boolean> {
  if (path.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(path);
    const res = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }), { abortSignal: AbortSignal.timeout(30_000) });
    return (res.KeyCount ?? 0) > 0;
  }
  return existsSync(path.startsWith('file://') ? fileURLToPath(path) : path);
}

export async function waitForInput(
  path: string, options: { timeoutMinutes: number; pollSeconds: number }, exists: (path: string) => Promise<boolean>,
): Promise<{ path: string; waitedSeconds: number }> {
  const ctx = Context.current();
  const resumed = ctx.info.heartbeatDetails as SensorProgress | undefined;
  const startedMs = Date.now() - (resumed?.waitedSeconds ?? 0) * 1000;
  const deadline = startedMs + options.timeoutMinutes * 60_000;
  for (;;) {
    const waitedSeconds = Math.round((Date.now() - startedMs) / 1000);
    if (await exists(path)) return { path, waitedSeconds };
    ctx.heartbeat({ path, waitedSeconds } satisfies SensorProgress);
    if (Date.now() >= deadline) {
      throw ApplicationFailure.create({
        type: 'InputNotArrived', nonRetryable: true,
        message: `waited ${options.timeoutMinutes} min for ${path}, which is still not there; no cluster was created`,
        details: [{ path, waitedSeconds }],
      });
    }
    // Sleep in slices so the heartbeat keeps flowing during long poll intervals.
    let remaining = Math.min(options.pollSeconds * 1000, Math.max(0, deadline - Date.now()));
    while (remaining > 0) {
      const slice = Math.min(remaining, 15_000);
      await ctx.sleep(slice);
      remaining -= slice;
      ctx.heartbeat({ path, waitedSeconds: Math.round((Date.now() - startedMs) / 1000) } satisfies SensorProgress);
    }
  }
}
