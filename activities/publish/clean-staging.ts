// Staging of runs that were not published (a failed audit, a crash before the manifest) is kept
// for inspection, then removed once older than [quality] staging_keep_hours. Staging a pending
// intent refers to is never removed: the next publish needs it.
import { readIntent } from './protocol';
import type { LakeStorage } from './storage';

export async function cleanStaging(storage: LakeStorage, keepHours: number, now: Date = new Date()): Promise<string[]> {
  if (!(keepHours > 0)) throw new Error(`keepHours must be a positive number of hours, got ${keepHours}`);
  const intent = await readIntent(storage);
  const cutoff = now.getTime() - keepHours * 3_600_000;
  const removed: string[] = [];
  for (const id of await storage.subdirectories('_staging')) {
    const dir = `_staging/${id}`;
    if (intent?.staging === dir) continue;
    const modified = await storage.lastModified(dir);
    // Nothing under it (S3 when it was emptied): nothing to inspect, remove the name.
    if (modified !== undefined && modified.getTime() > cutoff) continue;
    await storage.removeTree(dir);
    removed.push(storage.uri(dir));
  }
  await storage.removeIfEmpty('_staging');
  return removed;
}
