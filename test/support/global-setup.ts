// One real Temporal dev server (the CLI from .venv) for the whole vitest run, on free ports,
// with emrflow's search attributes registered. Tests reach it through inject('temporalAddress').
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestProject } from 'vitest/node';
import { temporalCli } from '../../infra/paths';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

let env: TestWorkflowEnvironment | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(temporalCli)) throw new Error(`${temporalCli} is missing: run npm run setup`);
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      searchAttributes: Object.keys(SEARCH_ATTRIBUTES).map((name) =>
        defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)),
      ip: '127.0.0.1',
    },
  });
  project.provide('temporalAddress', env.address);
}

export async function teardown(): Promise<void> {
  await env?.teardown();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}
