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
    managed: true, ownerWorkflowId: owner, terminationProtected: false, tags: { 'emrflow:managed': 'true' }, ...more,
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
  return { fake, result, actions, terminated: fake.calls.filter((c) => c.name === 'terminateCluster').map((c) => c.args[0]) };
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

test('a dry run reports what it would terminate and terminates nothing', async () => {
  const { fake, result, actions, terminated } = await sweep({ clusters, ownerStatuses }, { dryRun: true, olderThanMinutes: 120 });
  expect(result.dryRun).toBe(true);
  expect(actions).toEqual({ 'j-STRAY': 'would-terminate', 'j-LIVE': 'kept', 'j-PROTECTED': 'protected', 'j-OLD': 'would-terminate' });
  expect(terminated).toEqual([]);
  expect(fake.live()).toHaveLength(clusters.length);
});

test('olderThanMinutes terminates old clusters even when their run is still running', async () => {
  const { actions, terminated, result } = await sweep({ clusters, ownerStatuses }, { olderThanMinutes: 120 });
  expect(actions).toMatchObject({ 'j-OLD': 'terminated', 'j-LIVE': 'kept', 'j-STRAY': 'terminated' });
  expect(terminated.sort()).toEqual(['j-OLD', 'j-STRAY']);
  expect(result.clusters.find((c) => c.clusterId === 'j-OLD')?.reason).toContain('older than 120 min');
});
