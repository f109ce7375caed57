// The lake on S3. S3 has no rename: a move copies every object under src/ to the same key under
// dst/, and only once the whole copy succeeded deletes the sources (DeleteObjects, 1000 a call).
// Re-running a half-done move copies again what is left and deletes it, so it is safe.
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command,
  PutObjectCommand, type S3Client, type _Object,
} from '@aws-sdk/client-s3';
import { callTimeout } from '../aws-clients';
import { joinKey, parseS3Uri } from '../s3-uri';
import type { LakeStorage, MoveOptions } from './storage';

/** Copies in flight at once: enough to hide S3's per-request latency, few enough not to be throttled. */
const COPY_CONCURRENCY = 16;
const DELETE_BATCH = 1000;

export class S3LakeStorage implements LakeStorage {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly root: string, private readonly s3: S3Client) {
    const { bucket, key } = parseS3Uri(root);
    this.bucket = bucket;
    this.prefix = key;
  }

  uri(rel: string): string {
    return `s3://${this.bucket}/${this.key(rel)}`;
  }

  private key(rel: string): string {
    return joinKey(this.prefix, rel);
  }

  private dirPrefix(rel: string): string {
    return `${this.key(rel)}/`;
  }

  /** Every object under rel/ (paginated). */
  private async list(rel: string): Promise<_Object[]> {
    const out: _Object[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: this.dirPrefix(rel), ContinuationToken: token,
      }), callTimeout());
      out.push(...(res.Contents ?? []));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async exists(rel: string): Promise<boolean> {
    const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.dirPrefix(rel), MaxKeys: 1 }), callTimeout());
    if ((res.KeyCount ?? 0) > 0) return true;
    // A single object at rel (a file such as intent.json).
    return (await this.readText(rel)) !== undefined;
  }

  private async readText(rel: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }), callTimeout());
      return await res.Body!.transformToString();
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  async readJson<T>(rel: string): Promise<T | undefined> {
    const text = await this.readText(rel);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`${this.uri(rel)} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }

  async writeJson(rel: string, value: unknown): Promise<void> {
    await this.s3.send(new PutObjectCommand({
      Bucket: this.bucket, Key: this.key(rel), Body: `${JSON.stringify(value, null, 2)}\n`, ContentType: 'application/json',
    }), callTimeout());
  }

  async deleteFile(rel: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }), callTimeout());
  }

  async move(src: string, dst: string, options: MoveOptions = {}): Promise<void> {
    const objects = await this.list(src);
    const from = this.dirPrefix(src);
    const to = this.dirPrefix(dst);
    let next = 0;
    let copied = 0;
    const copyOne = async (): Promise<void> => {
      while (next < objects.length) {
        const key = objects[next++]!.Key!;
        await this.s3.send(new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to + key.slice(from.length),
          CopySource: encodeURIComponent(`${this.bucket}/${key}`).replace(/%2F/g, '/'),
        }), callTimeout());
        options.onProgress?.(++copied, objects.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, objects.length) }, copyOne));
    await options.onCopied?.();
    await this.deleteKeys(objects.map((o) => o.Key!));
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const res = await this.s3.send(new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key })), Quiet: true },
      }), callTimeout());
      const failed = res.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(`could not delete ${failed.length} object(s) under s3://${this.bucket}/, e.g. ${failed[0]!.Key}: ${failed[0]!.Code} ${failed[0]!.Message}`);
      }
    }
  }

  async removeTree(rel: string): Promise<void> {
    await this.deleteKeys((await this.list(rel)).map((o) => o.Key!));
  }

  async removeIfEmpty(): Promise<void> {
    // S3 has no directories: a prefix with no objects does not exist.
  }

  async subdirectories(rel: string): Promise<string[]> {
    const out: string[] = [];
    const prefix = this.dirPrefix(rel);
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token,
      }), callTimeout());
      for (const p of res.CommonPrefixes ?? []) out.push(p.Prefix!.slice(prefix.length).replace(/\/$/, ''));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async lastModified(rel: string): Promise<Date | undefined> {
    let newest: number | undefined;
    for (const o of await this.list(rel)) {
      const t = o.LastModified?.getTime() ?? 0;
      newest = newest === undefined ? t : Math.max(newest, t);
    }
    return newest === undefined ? undefined : new Date(newest);
  }
}
