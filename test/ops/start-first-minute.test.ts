// `npm start` from a fresh state: the demo run starts only once the worker polls, so its
// follower never says "no worker polls" (the worker is its own), and each task's state shows
// within seconds of `worker polling`, not a minute later all at once. Ctrl-C ends it quietly.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterEach, expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { freePort } from '../support/free-port';

/** README's quoted `npm start` output, each line a pattern: "…" stands for anything. */
function readmeLines(): RegExp[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## What you see after `npm start`'));
  const block = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  return block.split('\n').map((l) => new RegExp(`^${l.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
}

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

test('npm start: first task line within seconds of worker polling, no false "no worker polls", a quiet Ctrl-C', { timeout: 600_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'emrflow-start-fresh-'));
  dirs.push(cwd);
  // A server of its own on free ports, its database in the fresh state directory: nothing reused.
  const env = {
    ...process.env, EMRFLOW_CONFIG: '',
    EMRFLOW_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, EMRFLOW_TEMPORAL_UI_PORT: String(await freePort()),
  };
  // A process group of its own, so that Ctrl-C can be sent as a terminal does: to the group.
  const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), 'start'], { cwd, env, detached: true });
  const lines: { at: number; text: string }[] = [];
  let partial = '';
  const collect = (d: Buffer): void => {
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at: Date.now(), text });
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const out = (): string => lines.map((l) => l.text).join('\n');
  try {
    const deadline = Date.now() + 560_000;
    while (!/press Ctrl-C/.test(out()) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    // The demo's run started its dependant (sparkify-reports); its Spark driver must be done
    // before the state directory goes, or it writes on into a removed folder.
    const client = new Client({ connection: await Connection.connect({ address: env.EMRFLOW_TEMPORAL_ADDRESS }) });
    try {
      while (Date.now() < deadline && (await client.workflow.count('ExecutionStatus = "Running"')).count > 0)
        await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await client.connection.close();
    }
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
  const afterCtrlC = lines.slice(lines.findIndex((l) => l.text.includes('press Ctrl-C')) + 1).map((l) => l.text);
  expect(out(), out()).toContain('run completed');
  expect(out()).not.toContain('no worker polls');
  // README quotes these lines, in this order (the test's own ports read as the defaults').
  const shown = lines.map((l) => l.text.replaceAll(env.EMRFLOW_TEMPORAL_ADDRESS, '127.0.0.1:7233').replaceAll(`:${env.EMRFLOW_TEMPORAL_UI_PORT}`, ':8233'));
  let at = 0;
  for (const pattern of readmeLines()) {
    const found = shown.findIndex((l, i) => i >= at && pattern.test(l));
    expect(found, `README line ${pattern.source} not found in order in:\n${shown.join('\n')}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
  const polling = lines.find((l) => l.text.includes('worker polling task queue'));
  const firstTask = lines.find((l) => /^emrflow: task \S+: /.test(l.text));
  expect(polling, out()).toBeDefined();
  expect(firstTask, out()).toBeDefined();
  expect(lines.indexOf(firstTask!)).toBeGreaterThan(lines.indexOf(polling!));
  // The follower looks every second; a few more for a loaded machine.
  expect(firstTask!.at - polling!.at, out()).toBeLessThan(10_000);
  // The task's states arrive as they change, not in one burst at the end: the first and the
  // last task line are apart by (most of) the run.
  const taskLines = lines.filter((l) => /^emrflow: task \S+: /.test(l.text));
  expect(taskLines.length, out()).toBeGreaterThan(1);
  expect(taskLines.at(-1)!.at - taskLines[0]!.at, out()).toBeGreaterThan(2_000);
  // Ctrl-C stops the worker, then the server: no failed dials of a worker or of the server's
  // own internal workers, as when the same Ctrl-C stopped the server first.
  expect(afterCtrlC.filter((l) => /dial error|connect error|connection refused/.test(l)), out()).toEqual([]);
  expect(afterCtrlC.at(-1)).toBe('[emrflow] stopped');
});
