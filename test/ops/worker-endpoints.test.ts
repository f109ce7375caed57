// `emrflow worker` as a service: its health endpoint and the SDK's Prometheus metrics answered
// over HTTP on loopback, and JSON log lines with [log] format = json.
import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { cliWorker, type WorkerProcess } from '../faults/helpers/worker-process';
import { freePort } from '../support/free-port';
import { temporalAddress } from '../support/temporal';

let worker: WorkerProcess | undefined;
afterEach(async () => { await worker?.stop(); worker = undefined; });

async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await fetch(url);
    return { status: r.status, body: await r.text() };
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms:\n${worker?.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('health says connected and polling, metrics are Prometheus text with Temporal worker metrics, logs are JSON lines', async () => {
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  const taskQueue = `service-${randomUUID()}`;
  worker = cliWorker({
    EMRFLOW_TEMPORAL_ADDRESS: temporalAddress(), EMRFLOW_TEMPORAL_TASK_QUEUE: taskQueue,
    EMRFLOW_WORKER_HEALTH_PORT: String(healthPort), EMRFLOW_WORKER_METRICS_PORT: String(metricsPort),
    EMRFLOW_LOG_FORMAT: 'json', EMRFLOW_LOG_LEVEL: 'INFO',
  });
  const health = await until('health 200', async () => {
    const r = await get(`http://127.0.0.1:${healthPort}/health`);
    return r?.status === 200 ? r : undefined;
  });
  expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', connected: true, polling: true, state: 'RUNNING', taskQueue });

  const metrics = await until('metrics', async () => {
    const r = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    return r?.status === 200 && /temporal_/.test(r.body) ? r : undefined;
  });
  expect(metrics.body).toMatch(/^# (HELP|TYPE) temporal_/m);
  expect(metrics.body).toContain(`task_queue="${taskQueue}"`);

  const logLines = worker.output().split('\n').filter((l) => l.startsWith('{'));
  const parsed = logLines.map((l) => JSON.parse(l) as { time: string; level: string; message: string });
  expect(parsed.find((l) => l.message.startsWith(`worker polling task queue "${taskQueue}"`))).toMatchObject({ level: 'INFO' });
  expect(parsed.every((l) => !Number.isNaN(Date.parse(l.time)))).toBe(true);

  await worker.stop();
  expect(await get(`http://127.0.0.1:${healthPort}/health`), 'nothing listens once the worker stopped').toBeUndefined();
}, 150_000);
