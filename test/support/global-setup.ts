// One real Temporal dev server (the CLI from .venv) for the whole vitest run, on free ports,
// with emrflow's search attributes registered and its web UI. Tests reach them through
// inject('temporalAddress') and inject('temporalUiUrl').
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestProject } from 'vitest/node';
import { temporalCli } from '../../infra/paths';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { freePort } from './free-port';

let env: TestWorkflowEnvironment | undefined;
let tempRoot: string | undefined;

/**
 * Everything the suites put in "the temp dir" goes under one directory of this run (TMPDIR for
 * Node and Python, SPARK_LOCAL_DIRS for Spark's scratch space), set before any test worker or
 * process starts. Teardown fails the run if a test left anything there (each test cleans up,
 * also on failure) and removes the directory, so no run leaves anything under the system temp dir.
 */
function privateTempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'emrflow-test-run-'));
  for (const key of ['TMPDIR', 'TMP', 'TEMP', 'SPARK_LOCAL_DIRS']) process.env[key] = root;
  return root;
}

/**
 * What may remain: tsx's compile cache (tsx-<uid>), which tsx keeps under os.tmpdir() for every
 * process it loads (the CLI and worker processes the tests start). It is not a test's leftover,
 * tsx offers no setting for its place, and the cache is what keeps each CLI start near a second
 * (TSX_DISABLE_CACHE would recompile every file in every process); it goes with the run's dir.
 */
const expected = (entry: string) => /^tsx-[\w.-]+$/.test(entry);

/**
 * Removes the run's temp dir, and fails the run (exit code 1) when a test left something there:
 * each test removes what it makes, also when it fails (test/support/temp-dir.ts).
 */
function removePrivateTempDir(): void {
  if (!tempRoot) return;
  const left = readdirSync(tempRoot).filter((e) => !expected(e));
  if (left.length > 0) {
    process.stderr.write(`test temp hygiene: FAILED: ${left.length} entr${left.length === 1 ? 'y' : 'ies'} left by tests under ${tempRoot} (removed now; make the test that creates them remove them): ${left.slice(0, 20).join(', ')}\n`);
    process.exitCode = 1;
  }
  rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(temporalCli)) throw new Error(`${temporalCli} is missing: run npm run setup`);
  tempRoot = privateTempDir();
  const uiPort = await freePort();
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      searchAttributes: Object.keys(SEARCH_ATTRIBUTES).map((name) =>
        defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)),
      ip: '127.0.0.1',
      // The web UI too, for the browser tests.
      ui: true,
      uiPort,
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('temporalUiUrl', `http://127.0.0.1:${uiPort}`);
}

export async function teardown(): Promise<void> {
  try {
    await env?.teardown();
  } finally {
    removePrivateTempDir();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
  }
}
