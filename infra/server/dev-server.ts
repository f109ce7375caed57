// The embedded Temporal server: `temporal server start-dev` from .venv, with the web UI,
// persisted to a SQLite file in the state directory, emrflow's search attributes registered.
// A server already listening on the configured address is reused, not fought over.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmrflowConfig } from '../config';
import { temporalCli } from '../paths';
import { isListening, splitAddress } from './port';
import { searchAttributeFlags } from './search-attributes';

export interface DevServer {
  reused: boolean;
  uiUrl: string;
  /** The server process when we started it; undefined when reused. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

export function uiUrl(config: EmrflowConfig): string {
  // A remote server's UI (Temporal Cloud, a self-hosted cluster) is wherever dl.cfg says.
  if (config.temporal.web_ui_url) return config.temporal.web_ui_url;
  const host = config.temporal.bind_ip === '0.0.0.0' ? '127.0.0.1' : config.temporal.bind_ip;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.temporal.ui_port}`;
}

export async function ensureDevServer(
  config: EmrflowConfig,
  log: (line: string) => void,
  pipe: (child: ChildProcess) => void = (c) => { c.stdout?.pipe(process.stdout); c.stderr?.pipe(process.stderr); },
  options: {
    /**
     * The server outlives the terminal's Ctrl-C until stop(): `emrflow dev`/`start` stop their
     * worker first, which still completes its activities against the server (stopped by the same
     * Ctrl-C, the worker would log failed dials until it gave up).
     */
    stopLast?: boolean;
  } = {},
): Promise<DevServer> {
  const { host, port } = splitAddress(config.temporal.address);
  const url = uiUrl(config);
  if (await isListening(host, port)) {
    log(`a Temporal server is already listening on ${config.temporal.address}; reusing it`);
    return { reused: true, uiUrl: url, stop: async () => {} };
  }
  if (!existsSync(temporalCli)) throw new Error(`${temporalCli} is missing; run npm run setup`);
  mkdirSync(config.local.state_dir, { recursive: true });
  const dbFile = join(config.local.state_dir, 'temporal.db');
  const args = [
    'server', 'start-dev',
    '--ip', config.temporal.bind_ip,
    '--port', String(port),
    '--ui-port', String(config.temporal.ui_port),
    '--db-filename', dbFile,
    '--namespace', config.temporal.namespace,
    '--ui-disable-news-fetch',
    '--log-level', 'warn',
    ...searchAttributeFlags(),
  ];
  log(`starting the Temporal dev server on ${config.temporal.address} (database ${dbFile})`);
  // stopLast: a process group of its own, which a terminal's Ctrl-C does not reach.
  const child = spawn(temporalCli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.stopLast ?? false });
  pipe(child);
  let exited: number | null | undefined;
  child.once('exit', (code) => { exited = code; });
  // Out of the terminal's reach, it must still not outlive this process (an uncaught error, process.exit).
  if (options.stopLast) process.once('exit', () => { if (exited === undefined) child.kill('SIGTERM'); });

  const deadline = Date.now() + 60_000;
  while (!(await isListening(host, port))) {
    if (exited !== undefined) throw new Error(`the Temporal dev server exited with code ${exited} before it was ready`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the Temporal dev server did not listen on ${config.temporal.address} within 60 s`);
    }
    await sleep(200);
  }
  log(`Temporal web UI: ${url}`);
  return {
    reused: false,
    uiUrl: url,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (exited !== undefined) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
