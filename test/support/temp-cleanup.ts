// A vitest setup file: after each test file, remove the temp dirs it made outside its tests
// (testTempDir in beforeAll or at module level). Registered first, so it runs after the file's
// own afterAll hooks (vitest runs after-hooks in reverse order), once its workers are stopped.
import { afterAll } from 'vitest';
import { removeFileTempDirs } from './temp-dir';

afterAll(removeFileTempDirs);
