// Lint rules that matter for Temporal code (after temporalio/samples-typescript): no floating
// promises anywhere, and no Node built-ins inside workflows/ (the workflow sandbox has none).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  { ignores: ['node_modules/**', '.venv/**', '.emrflow/**', '.bench-data/**', 'test-artifacts/**', 'spark-jobs/**', '**/cdk.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
          name,
          message: 'Workflow code runs in a deterministic sandbox: do I/O in activities/.',
        })),
      }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use workflow time (Date.now is replaced by the sandbox but reads as a bug).' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', Buffer: 'readonly' } },
  },
);
