// Every test process's Temporal runtime logger (a vitest setup file). The SDK's default logger
// writes straight to stderr, which vitest cannot hold back, so CI's log drowned in INFO lines
// from passing tests. Here warnings and errors go through console.error (vitest prints them
// for failing tests only: `silent: 'passed-only'`), and a test can capture every entry.
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

const sinks = new Set<(entry: LogEntry) => void>();

/** Collects every log entry (DEBUG and up) of the workers in this test process as text lines. */
export function captureWorkerLogs(lines: string[]): void {
  sinks.add((e) => lines.push(`${e.message} ${JSON.stringify(e.meta ?? {})}`));
}

Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    for (const sink of sinks) sink(entry);
    if (entry.level === 'WARN' || entry.level === 'ERROR') console.error(`[${entry.level}] ${entry.message}`, entry.meta ?? '');
  }),
});
