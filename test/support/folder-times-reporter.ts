// Prints, after the run, how long each test folder took (#22: the suite must stay inside its
// time, and this says where the time goes). Files run two at a time, so the folders' times add
// up to about twice the wall clock: each folder's figure is the sum of its files' own durations.
import { relative, sep } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const fmt = (ms: number) => `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

export default class FolderTimesReporter implements Reporter {
  private readonly started = Date.now();

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const folders = new Map<string, { ms: number; files: number }>();
    for (const m of testModules) {
      const parts = relative(process.cwd(), m.moduleId).split(sep);
      const folder = parts.slice(0, Math.min(2, parts.length - 1)).join('/');
      const d = m.diagnostic();
      const entry = folders.get(folder) ?? { ms: 0, files: 0 };
      entry.ms += d.duration + d.collectDuration + d.setupDuration + d.prepareDuration;
      entry.files += 1;
      folders.set(folder, entry);
    }
    const rows = [...folders.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const width = Math.max(...rows.map(([f]) => f.length), 6);
    const lines = rows.map(([f, e]) => `  ${f.padEnd(width)}  ${fmt(e.ms).padStart(7)}  ${e.files} file${e.files === 1 ? '' : 's'}`);
    process.stdout.write(`\nvitest time per folder (each file's own time, summed; files run two at a time; wall ${fmt(Date.now() - this.started)}):\n${lines.join('\n')}\n`);
  }
}
