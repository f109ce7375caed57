// One real Temporal dev server (the CLI from .venv) for the whole vitest run, on free ports,
// with emrflow's search attributes registered and its web UI. Tests reach them through
// inject('temporalAddress') and inject('temporalUiUrl').
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestProject } from 'vitest/node';
import { temporalCli } from '../../infra/paths';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';
import { freePort } from './free-port';

let env: TestWorkflowEnvironment | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(temporalCli)) throw new Error(`${temporalCli} is missing: run npm run setup`);
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
  await env?.teardown();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
  }
}
