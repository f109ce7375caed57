// A small lake with a published version and a staged run for the publish tests, on the local file
// system or on S3 (moto), and a way to read it back as { relative path: content }. File contents
// stand in for Parquet: the protocol moves directories and never reads their files.
import {
  GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Manifest } from '../../../activities/publish/intent';

export type Files = Record<string, string>;

export interface Lake {
  /** The output URI the activities are given. */
  uri: string;
  write(files: Files): Promise<void>;
  /** Every file in the lake, as a reader listing it now would find it. */
  snapshot(): Promise<Files>;
}

export function localLake(dir: string): Lake {
  return {
    uri: dir,
    async write(files) {
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), content);
      }
    },
    async snapshot() {
      const out: Files = {};
      const walk = async (d: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(d, { withFileTypes: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw e;
        }
        for (const e of entries) {
          if (e.isDirectory()) await walk(join(d, e.name));
          else out[relative(dir, join(d, e.name))] = await readFile(join(d, e.name), 'utf8');
        }
      };
      await walk(dir);
      return out;
    },
  };
}

export function s3Lake(s3: S3Client, bucket: string, prefix: string): Lake {
  return {
    uri: `s3://${bucket}/${prefix}`,
    async write(files) {
      for (const [rel, content] of Object.entries(files)) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${rel}`, Body: content }));
      }
    },
    async snapshot() {
      const out: Files = {};
      let token: string | undefined;
      do {
        const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
        for (const o of res.Contents ?? []) {
          const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
          out[o.Key!.slice(prefix.length + 1)] = await body.Body!.transformToString();
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
  };
}

/** The tables as published before the run. */
export const PUBLISHED: Files = {
  'songplays/year=2018/month=10/part-0.parquet': 'plays of October, old',
  'songplays/year=2018/month=11/part-0.parquet': 'plays of November, old',
  'songplays/year=2018/month=11/part-1.parquet': 'more plays of November, old',
  'time/year=2018/month=11/part-0.parquet': 'times of November, old',
  'users/part-0.parquet': 'users, old',
  'songs/year=2018/part-0.parquet': 'songs of 2018, old',
  'artists/part-0.parquet': 'artists, untouched',
  '_state/users_latest/part-0.parquet': 'users state, old',
};

/** What run `runId` staged, with its manifest (moves of every kind: replace, remove, new, per-run) and its report. */
export function staged(runId: string): Files {
  const s = `_staging/${runId}`;
  const manifest: Manifest = {
    format: 1, run_id: runId, mode: 'daily', run_date: '2018-11-15', created_at: '2018-11-16T07:00:00Z',
    moves: [
      { table: 'songplays', staged: 'songplays/year=2018/month=11', target: 'songplays/year=2018/month=11' },
      { table: 'time', staged: null, target: 'time/year=2018/month=11' },
      { table: 'users', staged: 'users', target: 'users' },
      { table: 'songs', staged: 'songs/year=2018', target: 'songs/year=2018' },
      { table: 'songs', staged: 'songs/year=2017', target: 'songs/year=2017' },
      { table: '_state', staged: '_state/users_latest', target: '_state/users_latest' },
      { table: '_rejects', staged: '_rejects', target: `_rejects/${runId}` },
    ],
  };
  return {
    [`${s}/songplays/year=2018/month=11/part-0.parquet`]: `plays of November by ${runId}`,
    [`${s}/users/part-0.parquet`]: `users by ${runId}`,
    [`${s}/users/part-1.parquet`]: `more users by ${runId}`,
    [`${s}/songs/year=2018/part-0.parquet`]: `songs of 2018 by ${runId}`,
    [`${s}/songs/year=2017/part-0.parquet`]: `songs of 2017 by ${runId}`,
    [`${s}/_state/users_latest/part-0.parquet`]: `users state by ${runId}`,
    [`${s}/_rejects/part-0.json`]: `rejects of ${runId}`,
    [`${s}/_manifest.json`]: JSON.stringify(manifest),
    [`_reports/${runId}.json`]: JSON.stringify({ run_id: runId, published: false }),
  };
}

export const manifestMoves = (runId: string): Manifest['moves'] =>
  (JSON.parse(staged(runId)[`_staging/${runId}/_manifest.json`]!) as Manifest).moves;

/** The files under one directory of a snapshot, relative to it. */
export function under(files: Files, dir: string): Files {
  return Object.fromEntries(Object.entries(files)
    .filter(([k]) => k.startsWith(`${dir}/`))
    .map(([k, v]) => [k.slice(dir.length + 1), v]));
}

/** True when a snapshot has anything under one of the publish protocol's own directories. */
export const protocolLeftovers = (files: Files): string[] =>
  Object.keys(files).filter((k) => /^_(staging|previous|publish)\//.test(k));
