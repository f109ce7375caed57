// Shared by the publish suites: the activities under test, a child process that publishes and is
// killed at a point, and the invariants a reader relies on at every point of a publish.
import type { S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createPublishActivities } from '../../../activities/publish';
import { manifestMoves, under, type Files } from './lake-fixture';

export const activitiesFor = (s3?: S3Client, now?: () => Date) =>
  createPublishActivities({ s3: () => s3!, ...(now ? { now } : {}) });

export interface Heartbeat { move?: number; doing: string }

/** Runs one activity as the worker would, collecting its heartbeats. */
export async function runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<{ result: R; heartbeats: Heartbeat[] }> {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  const heartbeats: Heartbeat[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d as Heartbeat));
  const result = await env.run(fn, ...args) as R;
  return { result, heartbeats };
}

const child = join(import.meta.dirname, 'fixtures', 'publish-child.ts');

/** Publishes runId in a separate process that SIGKILLs itself at point. */
export function publishKilledAt(outputUri: string, runId: string, point: string, s3Endpoint = ''): Promise<{ signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, outputUri, runId, point], {
      env: { ...process.env, EMRFLOW_TEST_S3_ENDPOINT: s3Endpoint }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    p.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`publish child still running after 60 s: ${output}`)); }, 60_000);
    p.once('error', reject);
    p.once('exit', (_code, signal) => { clearTimeout(timer); resolve({ signal, output }); });
  });
}

const same = (a: Files, b: Files) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * What a reader finds while the publish of runId is stopped at `point`: every target holds its old
 * version or its new one, or (only the move the point is inside of) is missing while its old
 * version is whole under _previous; data outside the targets is as it was.
 */
export function expectReaderSafe(runId: string, point: string, before: Files, published: Files, now: Files): void {
  const moves = manifestMoves(runId);
  const inside = /:(\d+)$/.exec(point);
  const neither: string[] = [];
  for (const m of moves) {
    const old = under(before, m.target);
    const current = under(now, m.target);
    if (same(current, old) || same(current, under(published, m.target))) continue;
    neither.push(m.target);
    expect(under(now, `_previous/${runId}/${m.target}`), `old ${m.target} kept under _previous at ${point}`).toEqual(old);
  }
  if (inside) expect(neither.filter((t) => t !== moves[Number(inside[1])]!.target), `targets missing at ${point}`).toEqual([]);
  else expect(neither.length, `targets missing at ${point}: ${neither.join(', ')}`).toBeLessThanOrEqual(point.startsWith('step:') ? 1 : 0);
  const elsewhere = Object.keys(before).filter((k) => !k.startsWith('_') && !moves.some((m) => k.startsWith(`${m.target}/`)));
  expect(elsewhere.length).toBeGreaterThan(0);
  for (const k of elsewhere) expect(now[k], `${k} at ${point}`).toBe(before[k]);
}
