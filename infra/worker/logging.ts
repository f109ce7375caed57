// Worker logs with a prefix, so `emrflow dev` can show server and worker in one terminal.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export function installPrefixedLogger(prefix: string, level: LogLevel = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
      process.stdout.write(`${prefix} ${entry.level.padEnd(5)} ${entry.message}${meta}\n`);
    }),
  });
}
