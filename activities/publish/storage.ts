// The few operations the publish protocol needs from a lake, with paths relative to the output
// root ("songplays/year=2018/month=11", "_publish/intent.json"). Two implementations: the local
// file system (a move is one rename) and S3 (a move is copy every object, then delete them).
import type { S3Client } from '@aws-sdk/client-s3';
import { LocalLakeStorage } from './local-storage';
import { S3LakeStorage } from './s3-storage';

export interface MoveOptions {
  /** Called as objects are copied (S3 only), with how many of how many: a long move stays visibly alive. */
  onProgress?(copied: number, total: number): void;
  /** Called once every object is copied and before any is deleted (S3 only): the move's two halves. */
  onCopied?(): Promise<void> | void;
}

export interface LakeStorage {
  /** The output URI the paths are relative to (for messages). */
  readonly root: string;
  /** The URI (s3://…) or absolute path of a relative path. */
  uri(rel: string): string;
  /** True when a file or a non-empty directory exists at rel. */
  exists(rel: string): Promise<boolean>;
  readJson<T>(rel: string): Promise<T | undefined>;
  /** Writes the whole file or nothing (local: temp file + rename; S3: one PUT). */
  writeJson(rel: string, value: unknown): Promise<void>;
  deleteFile(rel: string): Promise<void>;
  /** Moves the directory src to dst (dst must not exist). Re-running a half-done move is safe. */
  move(src: string, dst: string, options?: MoveOptions): Promise<void>;
  /** Removes a directory and everything under it; absent is fine. */
  removeTree(rel: string): Promise<void>;
  /** Removes rel if it is an empty directory (S3 has none: nothing to do). */
  removeIfEmpty(rel: string): Promise<void>;
  /** Names of the directories directly under rel. */
  subdirectories(rel: string): Promise<string[]>;
  /** The newest modification time of anything under rel, or undefined when nothing is there. */
  lastModified(rel: string): Promise<Date | undefined>;
}

export function lakeStorage(outputUri: string, s3: () => S3Client): LakeStorage {
  return outputUri.startsWith('s3://') ? new S3LakeStorage(outputUri, s3()) : new LocalLakeStorage(outputUri);
}
