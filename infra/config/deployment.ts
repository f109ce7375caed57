// Which emrflow installation this process belongs to. Every cluster is tagged with it
// (emrflow:deployment) and a sweeper only ever touches its own deployment's clusters, so
// production, staging and a developer's `npm start` can share one AWS account.
import { hostname } from 'node:os';
import type { EmrflowConfig } from './schema';

/** Characters EMR accepts in a tag value; anything else becomes '-'. */
const TAG_VALUE_UNSAFE = /[^\p{L}\p{N}\s_.:/=+\-@]/gu;
const LOOPBACK = /^(127\.|localhost|\[::1\]|::1)/i;

/**
 * `[temporal] deployment` when set; otherwise `<namespace>/<task_queue>@<address>`: the three
 * things that decide which runs a worker sees. A loopback address (every developer's
 * `npm start`) says nothing about which machine it is, so the host name is added there.
 */
export function deploymentId(t: Pick<EmrflowConfig['temporal'], 'address' | 'namespace' | 'task_queue' | 'deployment'>): string {
  if (t.deployment) return t.deployment;
  const where = LOOPBACK.test(t.address) ? `${t.address} on ${hostname()}` : t.address;
  return `${t.namespace}/${t.task_queue}@${where}`.replace(TAG_VALUE_UNSAFE, '-').slice(0, 256);
}
