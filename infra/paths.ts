// Where things live in a checkout: the repo root, the virtualenv's tools, the workflow bundle entry.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const venvBin = (tool: string): string => join(repoRoot, '.venv', 'bin', tool);
export const temporalCli = venvBin('temporal');
export const sparkSubmit = venvBin('spark-submit');
export const workflowsEntry = join(repoRoot, 'workflows', 'index.ts');
export const etlScript = join(repoRoot, 'spark-jobs', 'etl.py');
