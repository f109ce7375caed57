// One wording and one exit code (2, a bad argument) for a run id that names no run, in every
// command that takes one (runs show, logs, cancel).

export function noSuchRun(workflowId: string, namespace: string): string {
  return `no run with workflow id ${workflowId} in namespace ${namespace} (see: emrflow runs list)`;
}
