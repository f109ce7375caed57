// Shared set-up for the local provider tests: a fresh state dir and a provider whose steps run
// plain Python (fast) instead of spark-submit, unless a test asks for the real thing.
import { join } from 'node:path';
import { venvBin } from '../../infra/paths';
import { LocalProvider, type LocalProviderOptions } from '../../activities/providers/local/local-provider';
import { testTempDir } from '../support/temp-dir';

export const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);
export const python = venvBin('python');
/** A fresh state dir, removed when the current test finishes (passed or failed). */
export function tempStateDir(): string {
  return testTempDir('emrflow-local-');
}

export function plainPythonProvider(stateDir: string, extra: Partial<LocalProviderOptions> = {}): LocalProvider {
  return new LocalProvider({
    stateDir,
    pollSeconds: 0.2,
    killGraceMs: 2_000,
    submitCommand: (script, args) => [python, script, ...args],
    ...extra,
  });
}

export const run = (workflowId = `wf-${Math.random().toString(36).slice(2)}`) =>
  ({ workflowId, runId: `run-${workflowId}`, pipeline: 'songs-etl' });

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
