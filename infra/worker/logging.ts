// Worker logs with a prefix, so `emrflow dev` can show server and worker in one terminal.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export function installPrefixedLogger(prefix: string, level: LogLevel = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
      // Multi-line messages (webpack's bundle report) keep the prefix on every line.
      const lines = `${entry.message}${meta}`.split('\n');
      process.stdout.write(lines.map((l) => `${prefix} ${entry.level.padEnd(5)} ${l}\n`).join(''));
    }),
  });
}
