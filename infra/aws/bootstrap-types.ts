// What `emrflow aws bootstrap` reports: one action per resource, in the order they were handled.

export type ResourceKind = 'bucket' | 'role' | 'instance profile' | 'execution role' | 'application' | 'glue database' | 'athena workgroup';

export type BootstrapVerb = 'created' | 'would create' | 'updated' | 'would update' | 'exists' | 'failed';

export interface BootstrapAction {
  kind: ResourceKind;
  name: string;
  action: BootstrapVerb;
  /** What was (or would be) done, what exists, or why it failed and how to fix it. */
  detail: string;
}

export interface BootstrapResult {
  dryRun: boolean;
  /** Whose credentials created the resources. */
  caller: string;
  actions: BootstrapAction[];
}

/** The tag on everything bootstrap creates: it marks what emrflow may later fix up. */
export const MANAGED_TAG = { Key: 'emrflow:managed', Value: 'true' } as const;

export function formatAction(a: BootstrapAction): string {
  return `${a.action.padEnd(12)} ${a.kind} ${a.name}  ${a.detail}`;
}
