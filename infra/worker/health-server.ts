// GET /health on loopback for a supervisor or a load balancer's local agent: 200 when the worker
// is connected to Temporal and the server lists it among the task queue's pollers, 503 (with the
// same JSON saying which is missing) otherwise. Loopback only: it has no authentication.
import { createServer, type Server } from 'node:http';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { livePollers } from '../cli/require-poller';

export interface Health {
  status: 'ok' | 'unhealthy';
  connected: boolean;
  polling: boolean;
  state: string;
  taskQueue: string;
  identity: string;
  detail?: string;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export async function workerHealth(connection: NativeConnection, worker: Worker): Promise<Health> {
  const { namespace, taskQueue, identity } = worker.options;
  const state = worker.getState();
  let connected = false;
  let polling = false;
  let detail: string | undefined;
  try {
    // One call answers both: the server answered (connected) and names this worker (polling).
    const pollers = await within(livePollers(connection.workflowService as never, namespace, taskQueue), 3_000);
    connected = true;
    polling = state === 'RUNNING' && pollers.includes(identity);
    if (!polling) detail = state === 'RUNNING' ? 'the server does not list this worker among the pollers yet' : `worker state ${state}`;
  } catch (e) {
    detail = `Temporal did not answer: ${(e as Error).message}`;
  }
  return { status: connected && polling ? 'ok' : 'unhealthy', connected, polling, state, taskQueue, identity, ...(detail && { detail }) };
}

/** Starts the endpoint; resolves once it listens. */
export async function startHealthServer(port: number, connection: NativeConnection, worker: Worker): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/health' && req.url !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /health\n');
      return;
    }
    workerHealth(connection, worker).then((h) => {
      res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
    }, (e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`[worker] health_port ${port}: ${e.message}`)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
