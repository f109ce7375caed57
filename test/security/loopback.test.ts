// `emrflow server` with the default bind address: every socket the Temporal dev server (and
// its web UI, served by the same process) listens on is on 127.0.0.1. Binding elsewhere is an
// explicit bind_ip and draws a warning.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../infra/paths';
import { freePort } from '../support/free-port';
import { testTempDir } from '../support/temp-dir';

/** Listening TCP sockets of one process, as "ip:port", from /proc (IPv4 and IPv6). */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch { /* fd closed meanwhile */ }
  }
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue; // 0A = LISTEN
      const [hexIp, hexPort] = f[1]!.split(':') as [string, string];
      const ip = hexIp.length === 8
        ? hexIp.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.')
        : hexIp === '0'.repeat(32) ? '::' : hexIp === '00000000000000000000000001000000' ? '::1' : `[${hexIp}]`;
      found.push(`${ip}:${parseInt(hexPort, 16)}`);
    }
  }
  return found;
}

function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function emrflow(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), ...args], {
    cwd, env: { ...process.env, EMRFLOW_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('the dev server and web UI listen on loopback only by default; bind_ip elsewhere is warned about', async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const dir = testTempDir('emrflow-loopback-');
  // No bind_ip: the default is what is under test.
  writeFileSync(join(dir, 'dl.cfg'), `[temporal]\naddress = 127.0.0.1:${port}\nui_port = ${uiPort}\n[local]\nstate_dir = ${join(dir, 'state')}\n`);
  const server = emrflow(dir, ['server']);
  let temporalPid: number | undefined;
  try {
    const deadline = Date.now() + 90_000;
    let sockets: string[] = [];
    while (!sockets.includes(`127.0.0.1:${uiPort}`) || !sockets.includes(`127.0.0.1:${port}`)) {
      if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`server not up: ${server.output()}`);
      await new Promise((r) => setTimeout(r, 250));
      temporalPid = childPids(server.child.pid!)[0];
      sockets = temporalPid ? listeningSockets(temporalPid) : [];
    }
    expect(sockets.filter((s) => !s.startsWith('127.0.0.1:')), sockets.join(' ')).toEqual([]);
    expect(server.output()).not.toMatch(/warning/);

    // Another server configured on 0.0.0.0 finds this one listening and reuses it (nothing new
    // is exposed here), but the configuration itself draws the warning first.
    const exposed = testTempDir('emrflow-exposed-');
    writeFileSync(join(exposed, 'dl.cfg'), `[temporal]\naddress = 127.0.0.1:${port}\nui_port = ${uiPort}\nbind_ip = 0.0.0.0\n`);
    const reuse = emrflow(exposed, ['server']);
    expect(await reuse.exited).toBe(0);
    expect(reuse.output()).toContain('emrflow: warning: [temporal] bind_ip = 0.0.0.0: the dev server and its web UI (no authentication) are reachable from other machines');
    expect(reuse.output()).toContain('reusing it');
  } finally {
    if (temporalPid) process.kill(temporalPid, 'SIGTERM');
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
