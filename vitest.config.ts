import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/worker-logs.ts', 'test/support/temp-cleanup.ts'],
    // Workflow and Spark tests start real processes; two cores, so keep files few at a time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    // Workers, moto and the dev server log a lot; keep that output only for tests that fail, so
    // a failure is easy to find in CI's log.
    silent: 'passed-only',
    // The default output, then where the time went, per folder (test/support/folder-times-reporter.ts).
    reporters: ['default', './test/support/folder-times-reporter.ts'],
  },
});
