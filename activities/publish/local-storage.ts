// The lake on the local file system: a move is one rename, so a reader sees a directory either
// at its old place or at its new one, never half of it.
import { mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonIfExists, writeJsonAtomic } from '../fs-atomic';
import type { LakeStorage } from './storage';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

export class LocalLakeStorage implements LakeStorage {
  private readonly dir: string;

  constructor(readonly root: string) {
    this.dir = resolve(root.startsWith('file://') ? fileURLToPath(root) : root);
  }

  uri(rel: string): string {
    return join(this.dir, rel);
  }

  async exists(rel: string): Promise<boolean> {
    try {
      const s = await stat(this.uri(rel));
      return !s.isDirectory() || (await readdir(this.uri(rel))).length > 0;
    } catch (e) {
      if (code(e) === 'ENOENT') return false;
      throw e;
    }
  }

  readJson<T>(rel: string): Promise<T | undefined> {
    return readJsonIfExists<T>(this.uri(rel));
  }

  async writeJson(rel: string, value: unknown): Promise<void> {
    await mkdir(dirname(this.uri(rel)), { recursive: true });
    await writeJsonAtomic(this.uri(rel), value);
  }

  async deleteFile(rel: string): Promise<void> {
    try {
      await unlink(this.uri(rel));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
  }

  async move(src: string, dst: string): Promise<void> {
    await mkdir(dirname(this.uri(dst)), { recursive: true });
    await rename(this.uri(src), this.uri(dst));
  }

  async removeTree(rel: string): Promise<void> {
    await rm(this.uri(rel), { recursive: true, force: true });
  }

  async removeIfEmpty(rel: string): Promise<void> {
    try {
      await rmdir(this.uri(rel));
    } catch (e) {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(code(e) ?? '')) throw e;
    }
  }

  async subdirectories(rel: string): Promise<string[]> {
    try {
      return (await readdir(this.uri(rel), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch (e) {
      if (code(e) === 'ENOENT') return [];
      throw e;
    }
  }

  async lastModified(rel: string): Promise<Date | undefined> {
    const newest = async (path: string): Promise<number | undefined> => {
      let s;
      try {
        s = await stat(path);
      } catch (e) {
        if (code(e) === 'ENOENT') return undefined;
        throw e;
      }
      let t = s.mtimeMs;
      if (s.isDirectory()) {
        for (const name of await readdir(path)) t = Math.max(t, (await newest(join(path, name))) ?? 0);
      }
      return t;
    };
    const t = await newest(this.uri(rel));
    return t === undefined ? undefined : new Date(t);
  }
}
