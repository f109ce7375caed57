// Runs the real `emrflow` CLI as a separate process, the way a user types it, and collects what
// it printed. Every CLI-level test goes through here.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../infra/paths';
import { backstoppedTempDir } from './temp-dir';

export interface CliResult { code: number | null; stdout: string; stderr: string; seconds: number }

export interface CliOptions {
  /** Contents of a dl.cfg written into the (fresh) working directory; none by default. */
  dlCfg?: string;
  /** Only PATH and HOME from this process's environment: no ambient AWS or EMRFLOW settings. */
  cleanEnv?: boolean;
}

export function emrflow(args: string[], env: Record<string, string> = {}, options: CliOptions = {}): Promise<CliResult> {
  const cwd = backstoppedTempDir('emrflow-cli-');
  if (options.dlCfg !== undefined) writeFileSync(join(cwd, 'dl.cfg'), options.dlCfg, { mode: 0o600 });
  const base = options.cleanEnv
    ? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_EC2_METADATA_DISABLED: 'true' }
    : process.env;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'infra/bin/emrflow.mjs'), ...args], {
      cwd,
      // An empty EMRFLOW_CONFIG means unset: the CLI looks for ./dl.cfg in cwd only.
      env: { ...base, EMRFLOW_CONFIG: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      // The CLI's working directory (and any dl.cfg written there) goes with the process.
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}
