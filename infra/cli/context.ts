// What every command needs first: the validated config (once), and one-line errors.
import type { Command } from 'commander';
import { ConfigError, loadConfig, type EmrflowConfig } from '../config';
import { PipelineDefinitionError } from '../pipelines/registry';
import { EXIT_FAILED, EXIT_USAGE, UsageError } from './exit-codes';

export interface GlobalOptions {
  config?: string;
}

/**
 * "No dl.cfg, using the defaults" is worth saying when a command goes on to do something, and
 * noise when it stops at a usage error (which must be the only line): it waits for the
 * command's first line of progress, or its end.
 */
const deferredNotices: string[] = [];

function flushNotices(): void {
  for (const line of deferredNotices.splice(0)) process.stderr.write(`emrflow: ${line}\n`);
}

export function say(line: string): void {
  flushNotices();
  process.stderr.write(`emrflow: ${line}\n`);
}

/** noticeNow: for long-running commands (server, worker, start), whose progress is their own log. */
export function configFrom(opts: GlobalOptions, { noticeNow = false } = {}): EmrflowConfig {
  const { config, warnings } = loadConfig({ path: opts.config });
  if (!config.source.found) deferredNotices.push(`no ${config.source.file} found; using the local defaults (see dl.cfg.example)`);
  if (noticeNow) flushNotices();
  for (const w of warnings) say(`warning: ${w}`);
  return config;
}

/** Runs a command body, turning known errors into one line and the right exit code. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await body(...args);
      flushNotices();
      process.exitCode = code ?? 0;
    } catch (e) {
      if (e instanceof ConfigError || e instanceof UsageError || e instanceof PipelineDefinitionError) {
        deferredNotices.length = 0;
        // One line per problem (a pipeline file may have several).
        for (const line of e.message.split('\n')) say(line);
        process.exit(EXIT_USAGE);
      }
      say(e instanceof Error ? e.message : String(e));
      process.exit(EXIT_FAILED);
    }
  };
}

/**
 * Commander's own parse errors (unknown option or command, missing argument) as ONE line in
 * emrflow's voice: its "error: ..." message, its "(Did you mean ...?)" hint and the pointer to
 * --help joined. Call before adding subcommands, which inherit the output configuration.
 */
export function oneLineParseErrors(program: Command): Command {
  return program.configureOutput({
    outputError: (text, write) => {
      const message = text.trim().replace(/^error: /, '').split(/\s*\n\s*/).join(' ');
      write(`emrflow: ${message} (add --help for usage)\n`);
    },
  });
}
