// dl.cfg.example must stay true to the code: it parses, and it documents every key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadConfig } from '../../infra/config';
import { schema } from '../../infra/config/schema';
import { repoRoot } from '../../infra/paths';

test('dl.cfg.example parses with the local defaults and mentions every key', () => {
  const file = join(repoRoot, 'dl.cfg.example');
  const { config } = loadConfig({ path: file, env: {} });
  expect(config.cluster.provider).toBe('local');
  const text = readFileSync(file, 'utf8');
  for (const [section, keys] of Object.entries(schema)) {
    expect(text).toContain(`[${section}]`);
    for (const key of Object.keys(keys)) expect(text).toMatch(new RegExp(`^;? ?${key} =`, 'm'));
  }
});
