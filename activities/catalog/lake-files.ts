// The files of one published table, locally or on S3, and the Hive-style partitions
// (`key=value/` directories) they sit in. The catalog registers what this finds, and
// `emrflow tables` reports it: what is on disk is the truth, not what a report said.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { callTimeout } from '../aws-clients';
import { joinKey, parseS3Uri } from '../s3-uri';

export interface LakeFile {
  /** Relative to the table's directory, with '/' separators, e.g. "year=2018/month=11/part-0.parquet". */
  path: string;
  bytes: number;
  modified: Date;
}

/** The table's root: `<output>/<table>` as a local path or an s3:// URI (no trailing slash). */
export function tableLocation(outputUri: string, table: string): string {
  const base = outputUri.replace(/\/+$/, '');
  if (base.startsWith('s3://')) return `${base}/${table}`;
  return join(base.startsWith('file://') ? fileURLToPath(base) : base, table);
}

/** Every file under the table, or null when the table's directory does not exist (never written). */
export async function listTableFiles(
  outputUri: string, table: string, s3: () => S3Client, onPage?: (filesSoFar: number) => void,
): Promise<LakeFile[] | null> {
  const where = tableLocation(outputUri, table);
  return where.startsWith('s3://') ? listS3(where, s3(), onPage) : listLocal(where);
}

async function listLocal(root: string): Promise<LakeFile[] | null> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const files: LakeFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const info = await stat(full);
    files.push({ path: relative(root, full).split(sep).join('/'), bytes: info.size, modified: info.mtime });
  }
  return files;
}

async function listS3(uri: string, s3: S3Client, onPage?: (filesSoFar: number) => void): Promise<LakeFile[] | null> {
  const { bucket, key } = parseS3Uri(uri);
  const prefix = `${joinKey(key)}/`;
  const files: LakeFile[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), callTimeout());
    for (const o of page.Contents ?? []) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      files.push({ path: o.Key.slice(prefix.length), bytes: o.Size ?? 0, modified: o.LastModified ?? new Date(0) });
    }
    onPage?.(files.length);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files.length === 0 ? null : files;
}

/** A Parquet data file, not a marker (_SUCCESS), a checksum (.crc) or a writer's temporary. */
export function isDataFile(path: string): boolean {
  const parts = path.split('/');
  return path.endsWith('.parquet') && parts.every((p) => !p.startsWith('_') && !p.startsWith('.'));
}

/**
 * The partitions holding data files, as value lists in key order ("year=2018/month=11" →
 * ["2018", "11"]), sorted. Files whose outer directories are not `key=value` for these keys in
 * this order are not in the table's layout and are ignored; deeper directories (an older
 * layout's extra keys) belong to the partition above them.
 */
export function partitionsOf(files: LakeFile[], keys: string[]): string[][] {
  if (keys.length === 0) return [];
  const seen = new Map<string, string[]>();
  for (const f of files) {
    if (!isDataFile(f.path)) continue;
    const dirs = f.path.split('/').slice(0, -1);
    if (dirs.length < keys.length) continue;
    const values: string[] = [];
    for (const [i, key] of keys.entries()) {
      const m = /^([^=]+)=(.*)$/.exec(dirs[i]!);
      if (!m || m[1] !== key) break;
      values.push(unescapeHive(m[2]!));
    }
    if (values.length === keys.length) seen.set(partitionPath(keys, values), values);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([, v]) => v);
}

/** "year=2018/month=11" for keys [year, month] and values [2018, 11]. */
export function partitionPath(keys: string[], values: string[]): string {
  return keys.map((k, i) => `${k}=${escapeHive(values[i]!)}`).join('/');
}

// Hive escapes characters such as '/', '=' and '%' in partition values as %XX.
const unescapeHive = (v: string) => v.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
const escapeHive = (v: string) => v.replace(/[%/=:#\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
