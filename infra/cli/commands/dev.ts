import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { EmrflowConfig } from '../../config';
import { ensureDevServer, type DevServer } from '../../server/dev-server';
import { installRuntime } from '../../worker/install-runtime';
import { runWorker } from '../../worker/run-worker';
import { action, configFrom, type GlobalOptions } from '../context';

function prefixLines(child: ChildProcess, prefix: string, relay: () => boolean): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (l) => { if (relay()) process.stdout.write(`${prefix} ${l}\n`); });
  }
}

/** Server and worker in one process, logs prefixed; Ctrl-C stops both. */
export async function runDev(
  config: EmrflowConfig,
  onReady?: (server: DevServer) => Promise<void>,
  workerOptions: Parameters<typeof runWorker>[2] = {},
): Promise<void> {
  const log = (l: string) => process.stdout.write(`[emrflow] ${l}\n`);
  // Once Ctrl-C has stopped the worker, the server's own shutdown chatter (connection warnings
  // from its internal workers) says nothing the user needs: it is not relayed.
  let stopping = false;
  // The server is stopped after the worker (stopLast), not by the same Ctrl-C: a server gone
  // first leaves the draining worker dialling it ("network dial error … connection refused").
  const server = await ensureDevServer(config, log, (c) => prefixLines(c, '[server]', () => !stopping), { stopLast: true });
  installRuntime(config, '[worker]');
  let polling!: () => void;
  const pollingNow = new Promise<void>((r) => (polling = r));
  const worker = runWorker(config, log, { ...workerOptions, onPolling: polling });
  try {
    // The demo run starts (and "ready" is said) only once the worker polls: started earlier, the
    // run would sit in the task queue and its follower would see no worker (the worker syncs
    // the schedules first).
    await Promise.race([pollingNow, worker]);
    if (onReady) await onReady(server);
    log(`ready — web UI ${server.uiUrl}; press Ctrl-C to stop`);
    await worker;
  } finally {
    stopping = true;
    log(server.reused ? 'worker stopped; the dev server was already running and keeps running' : 'worker stopped; stopping the dev server …');
    await server.stop();
    if (!server.reused) log('stopped');
  }
}

export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('start the Temporal dev server and a worker together, in one terminal')
    .addHelpText('after', '\nExample:\n  $ emrflow dev               # then open http://127.0.0.1:8233')
    .action(action(async () => runDev(configFrom(program.opts<GlobalOptions>(), { noticeNow: true }))));
}
