// Which run last wrote each table, from the run reports the job leaves in <output>/_reports/.
// Reports come in two shapes: older ones only have `rows` (a daily run rewrites songplays, time
// and users, and songs/artists only when it rebuilt them); newer ones say per table whether the
// run wrote it (`tables.<t>.status`) and whether anything was published at all (`published`).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { callTimeout } from '../../activities/aws-clients';
import { tableLocation } from '../../activities/catalog/lake-files';
import { joinKey, parseS3Uri } from '../../activities/s3-uri';
import type { RunReport } from '../../workflows/shared';

/** A run report of either shape: the fields this reads. */
export type AnyRunReport = Pick<RunReport, 'run_id' | 'mode' | 'finished_at'> & {
  rows?: Record<string, number | string>;
  published?: boolean;
  tables?: Record<string, { status: 'written' | 'unchanged' }>;
};

export interface LastWrite { runId: string; mode: string; at: string }

/** Did this run publish a new version of the table? */
export function wroteTable(report: AnyRunReport, table: string): boolean {
  if (report.published === false) return false;
  const t = report.tables?.[table];
  if (t) return t.status === 'written';
  const rows = report.rows?.[table];
  if (typeof rows !== 'number') return false;
  if (report.mode === 'full' || ['songplays', 'time', 'users'].includes(table)) return true;
  return rows > 0;
}

interface ReportRef { name: string; modified: number; read: () => Promise<string> }

async function reportRefs(outputUri: string, s3: () => S3Client): Promise<ReportRef[]> {
  const dir = tableLocation(outputUri, '_reports');
  if (dir.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(dir);
    const refs: ReportRef[] = [];
    let token: string | undefined;
    do {
      const page = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${joinKey(key)}/`, ContinuationToken: token }), callTimeout());
      for (const o of page.Contents ?? []) {
        if (!o.Key?.endsWith('.json')) continue;
        const k = o.Key;
        refs.push({ name: k, modified: o.LastModified?.getTime() ?? 0, read: async () => (await s3().send(new GetObjectCommand({ Bucket: bucket, Key: k }), callTimeout())).Body!.transformToString() });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return refs;
  }
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return Promise.all(names.map(async (n) => ({ name: n, modified: (await stat(join(dir, n))).mtimeMs, read: () => readFile(join(dir, n), 'utf8') })));
}

/** For each table, the newest published run that wrote it (reports read newest first, only as many as needed). */
export async function lastWrites(outputUri: string, tables: string[], s3: () => S3Client): Promise<Record<string, LastWrite | null>> {
  const out: Record<string, LastWrite | null> = Object.fromEntries(tables.map((t) => [t, null]));
  const refs = (await reportRefs(outputUri, s3)).sort((a, b) => b.modified - a.modified);
  for (const ref of refs) {
    if (tables.every((t) => out[t])) break;
    let report: AnyRunReport;
    try {
      report = JSON.parse(await ref.read()) as AnyRunReport;
    } catch {
      continue; // a half-written or foreign file is not a run report
    }
    for (const t of tables) {
      if (!out[t] && wroteTable(report, t)) out[t] = { runId: report.run_id, mode: report.mode, at: report.finished_at };
    }
  }
  return out;
}
