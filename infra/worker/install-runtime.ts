// The worker process's Temporal runtime, installed once from [log] and [worker]: its logger
// (text lines with a prefix for a terminal, or one JSON object per line for a log collector)
// and, with [worker] metrics_port, the SDK's own Prometheus exporter on loopback.
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { EmrflowConfig } from '../config';

function textLine(prefix: string, entry: LogEntry): string {
  const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
  // Multi-line messages (webpack's bundle report) keep the prefix on every line.
  return `${entry.message}${meta}`.split('\n').map((l) => `${prefix} ${entry.level.padEnd(5)} ${l}\n`).join('');
}

function jsonLine(entry: LogEntry): string {
  // timestampNanos is a bigint: milliseconds are plenty for a log line.
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return `${JSON.stringify({ time, level: entry.level, message: entry.message, ...entry.meta })}\n`;
}

/** Where the metrics exporter listens: loopback only (the exporter has no authentication). */
export function metricsAddress(config: EmrflowConfig): string | undefined {
  return config.worker.metrics_port === undefined ? undefined : `127.0.0.1:${config.worker.metrics_port}`;
}

/**
 * Installs the runtime and returns a function that logs one line through it, so the worker's
 * own lines ("polling task queue …") come out in the same format as the SDK's.
 */
export function installRuntime(config: EmrflowConfig, prefix: string): (line: string) => void {
  const json = config.log.format === 'json';
  const metrics = metricsAddress(config);
  Runtime.install({
    logger: new DefaultLogger(config.log.level as LogLevel, (entry) => {
      process.stdout.write(json ? jsonLine(entry) : textLine(prefix, entry));
    }),
    ...(metrics && { telemetryOptions: { metrics: { prometheus: { bindAddress: metrics } } } }),
  });
  const logger = Runtime.instance().logger;
  return (line) => logger.info(line);
}
