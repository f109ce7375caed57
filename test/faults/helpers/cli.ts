// Runs the emrflow CLI as a separate process, the way a user types it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../infra/paths';

export interface CliResult { code: number | null; stdout: string; stderr: string; seconds: number }

export function emrflow(args: string[], env: Record<string, string>): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'emrflow-fault-cli-')),
      env: { ...process.env, EMRFLOW_CONFIG: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}
