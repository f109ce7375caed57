import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ClusterSummary, TerminateEmrClustersInput, TerminateEmrClustersResult } from '../../workflows/shared';
import { fakeActivities, type FakeOptions } from '../support/fake-activities';
import { connectForTest } from '../support/temporal';
import { uniqueId, withWorker, type Conn } from './fixtures/harness';

let conn: Conn;
beforeAll(async () => { conn = await connectForTest(); });
afterAll(async () => conn.close());

function cluster(clusterId: string, owner: string | undefined, more: Partial<ClusterSummary> = {}): ClusterSummary {
  return {
    clusterId, name: `emrflow-${owner ?? 'nobody'}`, state: 'WAITING', createdAt: '2026-01-01T00:00:00Z', ageMinutes: 30,
    managed: true, ownerWorkflowId: owner, terminationProtected: false, deployment: 'prod', ownDeployment: true,
    tags: { 'emrflow:managed': 'true', 'emrflow:deployment': 'prod' }, ...more,
  };
}

const clusters = [
  cluster('j-STRAY', 'songs-etl-2018-11-01'),
  cluster('j-LIVE', 'songs-etl-2018-11-02'),
  cluster('j-NOTOURS', undefined, { managed: false, name: 'someone-elses', tags: {} }),
  cluster('j-PROTECTED', 'songs-etl-2018-11-03', { terminationProtected: true }),
  cluster('j-OLD', 'songs-etl-2018-11-04', { ageMinutes: 600 }),
];
const ownerStatuses = { 'songs-etl-2018-11-01': 'COMPLETED', 'songs-etl-2018-11-02': 'RUNNING', 'songs-etl-2018-11-03': 'FAILED', 'songs-etl-2018-11-04': 'RUNNING' };

async function sweep(options: FakeOptions, input?: TerminateEmrClustersInput) {
  const fake = fakeActivities(options);
  const result = await withWorker(conn, fake.activities, (taskQueue) => conn.client.workflow.execute('terminateEmrClusters', {
    taskQueue, workflowId: uniqueId('sweep'), args: input ? [input] : [],
  })) as TerminateEmrClustersResult;
  const actions = Object.fromEntries(result.clusters.map((c) => [c.clusterId, c.action]));
  const rules = Object.fromEntries(result.clusters.map((c) => [c.clusterId, c.rule]));
  return { fake, result, actions, rules, terminated: fake.calls.filter((c) => c.name === 'terminateCluster').map((c) => c.args[0]) };
}

test('terminates clusters of closed runs, keeps live runs\' clusters, never touches unmanaged ones, reports protected ones', async () => {
  const { fake, result, actions, terminated } = await sweep({ clusters, ownerStatuses, listLeaksUnmanaged: true });
  expect(result.dryRun).toBe(false);
  expect(actions).toEqual({ 'j-STRAY': 'terminated', 'j-LIVE': 'kept', 'j-NOTOURS': 'kept', 'j-PROTECTED': 'protected', 'j-OLD': 'kept' });
  expect(terminated).toEqual(['j-STRAY']);
  expect(fake.clusters.get('j-STRAY')?.state).toBe('TERMINATED');
  expect(fake.clusters.get('j-NOTOURS')?.state).toBe('WAITING');
  const stray = result.clusters.find((c) => c.clusterId === 'j-STRAY');
  expect(stray).toMatchObject({ owner: 'songs-etl-2018-11-01', ownerStatus: 'COMPLETED', ageMinutes: 30, name: 'emrflow-songs-etl-2018-11-01' });
  expect(stray?.reason).toContain('COMPLETED');
  expect(fake.calls.find((c) => c.name === 'listClusters')?.args[0]).toEqual({});
});

test('a run unknown to Temporal counts as closed', async () => {
  const { actions } = await sweep({ clusters: [cluster('j-ORPHAN', 'songs-etl-gone')] });
  expect(actions).toEqual({ 'j-ORPHAN': 'terminated' });
});

test('item 1: the sweeper touches only its own deployment\'s clusters and reports the others as another deployment\'s', async () => {
  const theirs = cluster('j-STAGING', 'songs-etl-2018-11-05', { deployment: 'staging', ownDeployment: false, tags: { 'emrflow:managed': 'true', 'emrflow:deployment': 'staging' } });
  const untagged = cluster('j-OLDVERSION', 'songs-etl-2018-11-06', { deployment: undefined, ownDeployment: false, tags: { 'emrflow:managed': 'true' } });
  // Their runs are unknown to this namespace: before deployments, that made them "closed" here.
  const { actions, rules, terminated, result, fake } = await sweep({ clusters: [cluster('j-MINE', 'songs-etl-gone'), theirs, untagged] });
  expect(actions).toEqual({ 'j-MINE': 'terminated', 'j-STAGING': 'kept', 'j-OLDVERSION': 'kept' });
  expect(rules).toMatchObject({ 'j-STAGING': 'another-deployment', 'j-OLDVERSION': 'another-deployment' });
  expect(terminated).toEqual(['j-MINE']);
  expect(result.clusters.find((c) => c.clusterId === 'j-STAGING')?.reason).toBe('another deployment\'s (emrflow:deployment=staging); left alone');
  expect(result.clusters.find((c) => c.clusterId === 'j-OLDVERSION')?.reason).toContain('another deployment\'s (no emrflow:deployment tag)');
  // Other deployments' runs are not even looked up in this namespace.
  expect(fake.calls.find((c) => c.name === 'ownerStatuses')?.args[0]).toEqual(['songs-etl-gone']);
});

test('a dry run reports what it would terminate and terminates nothing', async () => {
  const { fake, result, actions, terminated } = await sweep({ clusters, ownerStatuses }, { dryRun: true, olderThanMinutes: 120, includeRunning: true });
  expect(result.dryRun).toBe(true);
  expect(actions).toEqual({ 'j-STRAY': 'would-terminate', 'j-LIVE': 'kept', 'j-PROTECTED': 'protected', 'j-OLD': 'would-terminate' });
  expect(terminated).toEqual([]);
  expect(fake.live()).toHaveLength(clusters.length);
});

test('#19 item 6: --older-than spares clusters whose run is still running unless includeRunning; the dry run names the rule', async () => {
  const spared = await sweep({ clusters, ownerStatuses }, { dryRun: true, olderThanMinutes: 120 });
  expect(spared.actions).toEqual({ 'j-STRAY': 'would-terminate', 'j-LIVE': 'kept', 'j-PROTECTED': 'protected', 'j-OLD': 'kept' });
  expect(spared.rules).toEqual({ 'j-STRAY': 'owner-closed', 'j-LIVE': 'owner-running', 'j-PROTECTED': 'owner-closed', 'j-OLD': 'owner-running' });
  expect(spared.result.clusters.find((c) => c.clusterId === 'j-OLD')?.reason)
    .toBe('owning run songs-etl-2018-11-04 is RUNNING: spared although 600 min old, older than 120 min (add --include-running to terminate it)');

  const { actions, rules, terminated, result } = await sweep({ clusters, ownerStatuses }, { olderThanMinutes: 120, includeRunning: true });
  expect(actions).toMatchObject({ 'j-OLD': 'terminated', 'j-LIVE': 'kept', 'j-STRAY': 'terminated' });
  expect(rules['j-OLD']).toBe('older-than-including-running');
  expect(terminated.sort()).toEqual(['j-OLD', 'j-STRAY']);
  expect(result.clusters.find((c) => c.clusterId === 'j-OLD')?.reason).toContain('older than 120 min');
});

test('item 10: a cluster the sweeper cannot terminate is its own failed row, and the others are still handled', async () => {
  const denied = 'AccessDeniedException: not authorized to perform elasticmapreduce:TerminateJobFlows';
  const unreadable = cluster('j-DENIED', undefined, { managed: false, name: 'emrflow-lookalike', tags: {}, unreadable: 'AccessDeniedException: DescribeCluster denied' });
  const started = Date.now();
  const { actions, terminated, result } = await sweep({
    clusters: [cluster('j-STUCK', 'songs-etl-gone-1'), unreadable, cluster('j-FINE', 'songs-etl-gone-2')],
    terminateFails: { 'j-STUCK': denied }, listLeaksUnmanaged: true,
  });
  expect(actions).toEqual({ 'j-STUCK': 'failed', 'j-DENIED': 'kept', 'j-FINE': 'terminated' });
  expect(result.clusters.find((c) => c.clusterId === 'j-STUCK')?.reason).toContain(denied);
  expect(result.clusters.find((c) => c.clusterId === 'j-DENIED')).toMatchObject({ rule: 'unreadable' });
  expect(terminated.filter((id) => id === 'j-STUCK').length, 'a few tries, not half an hour of them').toBeLessThanOrEqual(4);
  expect(terminated).toContain('j-FINE');
  expect(Date.now() - started).toBeLessThan(60_000);
});

test('the sweep\'s current details (the run page in the web UI) are a table of the clusters it saw and what it did', async () => {
  const fake = fakeActivities({ clusters, ownerStatuses, listLeaksUnmanaged: true });
  const details = await withWorker(conn, fake.activities, async (taskQueue) => {
    const handle = await conn.client.workflow.start('terminateEmrClusters', { taskQueue, workflowId: uniqueId('sweep-details'), args: [] });
    await handle.result();
    // What the web UI's User Metadata tab asks for (answered by the worker, replaying the closed run).
    return (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
  });
  expect(details).toContain('### Sweep: 5 clusters seen, 2 acted on');
  expect(details).toMatch(/\| `j-STRAY` \| emrflow-songs-etl-2018-11-01 \| 30 min \| `songs-etl-2018-11-01` \| COMPLETED \| \*\*terminated\*\* \| [^|]*COMPLETED/);
  expect(details).toMatch(/\| `j-PROTECTED` \|.*\| \*\*protected\*\*: still running \|/);
  expect(details).toMatch(/\| `j-LIVE` \|.*\| RUNNING \| kept \|/);
});
