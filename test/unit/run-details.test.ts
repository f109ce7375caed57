// The Markdown the web UI shows for a run: static summary/details and current details, and the
// sweeper's table. Pure functions: what a person reads on the run's page, checked line by line.
import { expect, test } from 'vitest';
import type { PipelineStatus } from '../../workflows/pipeline-types';
import { emrClusterUrl, failureView, renderRunDetails, s3ConsoleUrl, type RunDetailsView } from '../../workflows/run-details';
import { emrClusterShape, runMetadata, sweepMetadata } from '../../workflows/run-metadata';
import type { PipelineSettings, RunReport } from '../../workflows/shared';
import { renderSweepDetails } from '../../workflows/sweep-details';

const status = (over: Partial<PipelineStatus> = {}): PipelineStatus => ({
  pipeline: 'songs-etl', stage: 'waitForStep', runDate: '2018-11-15', mode: 'daily', clusterId: 'j-ABC123', stages: [],
  tasks: [
    { id: 'wait-for-logs', kind: 'waitForInput', dependsOn: [], state: 'succeeded', attempts: 0, startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:03Z', waitingFor: 's3://in/log_data/2018/11/2018-11-15-events.json' },
    { id: 'etl', kind: 'spark', dependsOn: ['wait-for-logs'], state: 'running', attempts: 1, stepId: 's-STEP1', stepState: 'RUNNING', startedAt: '2026-01-01T00:00:03Z' },
    { id: 'check', kind: 'check', dependsOn: ['etl'], state: 'waiting', attempts: 0 },
  ],
  ...over,
});
const emr: PipelineSettings = { provider: 'emr', outputUri: 's3://lake/out', maxRejectedShare: 0.05, region: 'us-west-2', logUri: 's3://logs-bucket/emr/', cluster: '1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0' };
const local: PipelineSettings = { provider: 'local', outputUri: '/tmp/lake', maxRejectedShare: 0.05, stateDir: '/srv/emrflow/.emrflow' };
const report = {
  rows: { songplays: 6820, users: 96, songs: 71, artists: 69, time: 6813 },
  rejected: { total: 3, by_reason: { missing_ts: 2, bad_json: 1, other: 0 } },
} as unknown as RunReport;
const view = (over: Partial<RunDetailsView> = {}): RunDetailsView => ({ status: status(), settings: emr, now: '2026-01-01T00:02:08Z', outcome: 'running', reports: {}, ...over });

test('static summary is one line with pipeline, run date, mode and provider; details say what it reads and writes', () => {
  const m = runMetadata({
    pipeline: 'songs-etl', description: 'logs become a star schema', runDate: '2018-11-15', mode: 'daily', startedBy: '`emrflow run`',
    place: { provider: 'emr', region: 'us-west-2', cluster: emrClusterShape({ release_label: 'emr-7.13.0', master_instance_type: 'm5.xlarge', core_instance_type: 'm5.xlarge', core_instance_count: 2 }), inputUri: 's3://in', outputUri: 's3://out' },
    tasks: [{ id: 'etl', kind: 'spark', dependsOn: [], script: 'etl.py', args: [], retries: 1, report: true }],
  });
  expect(m.staticSummary).toBe('songs-etl · 2018-11-15 · daily · emr');
  expect(m.staticDetails).toContain('| Runs on | EMR in us-west-2: 1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0 |');
  expect(m.staticDetails).toContain('| Reads | `s3://in` |');
  expect(m.staticDetails).toContain('| Writes | `s3://out` |');
  expect(m.staticDetails).toContain('- `etl`: Spark `etl.py`, up to 1 retries');
  expect(runMetadata({ pipeline: 'p', mode: 'daily', startedBy: 'the schedule', place: { provider: 'local', outputUri: '/o' } }).staticDetails)
    .toContain('| Run date | the day before the scheduled time |');
  expect(sweepMetadata('the schedule', { provider: 'emr', region: 'eu-west-1' }).staticDetails).toContain('EMR clusters in eu-west-1');
});

test('a running EMR run: task table with state and duration, cluster and step links to the consoles, log location, Spark UI', () => {
  const md = renderRunDetails(view());
  expect(md).toContain('### Running: songs-etl for 2018-11-15 (daily), stage waitForStep');
  expect(md).toContain('| wait-for-logs | waitForInput | succeeded | 3 s |');
  // Running tasks count up to the workflow's clock.
  expect(md).toMatch(/\| etl \| spark \| \*\*running\*\* \| 2 m 05 s \| \[s-STEP1\]\(https:\/\/s3\.console\.aws\.amazon\.com\/s3\/buckets\/logs-bucket\?region=us-west-2&prefix=emr%2Fj-ABC123%2Fsteps%2Fs-STEP1%2F\) RUNNING \|/);
  expect(md).toContain('| check | check | waiting |  |  |  |');
  expect(md).toContain(`**Cluster**: [j-ABC123](${emrClusterUrl('us-west-2', 'j-ABC123')})`);
  expect(emrClusterUrl('us-west-2', 'j-ABC123')).toBe('https://us-west-2.console.aws.amazon.com/emr/home?region=us-west-2#/clusterDetails/j-ABC123');
  expect(md).toContain('**Logs**: [s3://logs-bucket/emr/j-ABC123/](');
  expect(md).toContain('**Spark UI**: [Spark History Server](https://us-west-2.console.aws.amazon.com/emr/home?region=us-west-2#/clusterDetails/j-ABC123)');
  expect(s3ConsoleUrl('/not/s3', 'us-west-2')).toBeUndefined();
});

test('a local run links the state directory; rows per table, rejected records and billed time once it succeeded', () => {
  const tasks = status().tasks.map((t) => ({ ...t, state: 'succeeded' as const, endedAt: t.endedAt ?? '2026-01-01T00:01:00Z', startedAt: t.startedAt ?? '2026-01-01T00:00:59Z' }));
  const md = renderRunDetails(view({ status: status({ clusterId: 'local-1', tasks, stage: 'done' }), settings: local, outcome: 'succeeded', reports: { etl: report }, billedSeconds: 125 }));
  expect(md).toContain('### Succeeded: songs-etl for 2018-11-15 (daily)');
  expect(md).toContain('**Cluster**: [/srv/emrflow/.emrflow/clusters/local-1](file:///srv/emrflow/.emrflow/clusters/local-1)');
  expect(md).toContain('[s-STEP1](file:///srv/emrflow/.emrflow/clusters/local-1/steps/s-STEP1)');
  expect(md).toContain('**Logs**: [/srv/emrflow/.emrflow/clusters/local-1/steps/ (stdout.log, stderr.log per step)](file:///srv/emrflow/.emrflow/clusters/local-1/steps)');
  expect(md).toContain('**Spark UI**: none kept');
  expect(md).toContain('| songplays | 6820 |');
  expect(md).toContain('**Rejected records**: 3 (missing_ts: 2, bad_json: 1)');
  expect(md).toContain('**Billed time** (cluster created → terminated): 2 m 05 s');
});

test('the cost is shown beside the billed time when the summary has one, each its own paragraph', () => {
  const cost = { provider: 'emr' as const, currency: 'USD' as const, estimatedUsd: 0.1234, basis: '3 × m5.xlarge for 0.21 h', usage: { kind: 'local' as const, wallSeconds: 1 }, pricesFrom: 'defaults' as const };
  const md = renderRunDetails(view({ outcome: 'succeeded', billedSeconds: 60, cost }));
  expect(md).toContain('**Billed time** (cluster created → terminated): 1 m 00 s\n\n**Estimated cost**: $0.12 (3 × m5.xlarge for 0.21 h; prices from defaults)');
});

test('a failed run: the reason first, then the driver stderr tail in a code block (from the failure details or the message)', () => {
  const message = 'task etl, stage waitForStep: Spark step s-STEP1 failed: exit 1\n--- driver stderr (tail) ---\nTraceback\nValueError: boom';
  const fromMessage = failureView(message, undefined);
  expect(fromMessage).toEqual({ message: 'task etl, stage waitForStep: Spark step s-STEP1 failed: exit 1', stderrTail: 'Traceback\nValueError: boom' });
  expect(failureView('stage preflight: no bucket', [{ stderrTail: 'from details' }]).stderrTail).toBe('from details');
  expect(failureView('stage preflight: no bucket\nfix: create it', undefined)).toEqual({ message: 'stage preflight: no bucket' });
  const md = renderRunDetails(view({ outcome: 'failed', failure: fromMessage }));
  expect(md).toContain('### Failed: songs-etl');
  expect(md).toContain('**Reason**: task etl, stage waitForStep: Spark step s-STEP1 failed: exit 1');
  expect(md).toContain('**Driver stderr (tail)**\n\n```\nTraceback\nValueError: boom\n```');
  // A tail holding a fence cannot close the block early.
  expect(renderRunDetails(view({ outcome: 'failed', failure: { message: 'x', stderrTail: 'a ``` b' } }))).toContain('~~~~\na ``` b\n~~~~');
});

test('a table cell never breaks on | or a newline; no cluster yet says so', () => {
  const md = renderRunDetails(view({ status: status({ clusterId: undefined, tasks: [{ id: 't', kind: 'check', dependsOn: [], state: 'failed', attempts: 0, reason: 'a | b\nc' }] }) }));
  expect(md).toContain('| t | check | **FAILED** |  |  | a \\| b c |');
  expect(md).toContain('**Cluster**: none yet');
});

test('the sweeper: one row per cluster it saw, with the action and why', () => {
  const md = renderSweepDetails({
    dryRun: false,
    clusters: [
      { clusterId: 'j-STRAY', name: 'emrflow-x', ageMinutes: 30.4, owner: 'songs-etl-2018-11-01', ownerStatus: 'COMPLETED', action: 'terminated', reason: 'its run is COMPLETED' },
      { clusterId: 'j-LIVE', name: 'emrflow-y', ageMinutes: 5, owner: null, ownerStatus: 'UNKNOWN', action: 'kept', reason: 'not managed' },
    ],
  });
  expect(md).toContain('### Sweep: 2 clusters seen, 1 acted on');
  expect(md).toContain('| `j-STRAY` | emrflow-x | 30 min | `songs-etl-2018-11-01` | COMPLETED | **terminated** | its run is COMPLETED |');
  expect(md).toContain('| `j-LIVE` | emrflow-y | 5 min | - | UNKNOWN | kept | not managed |');
  expect(renderSweepDetails({ dryRun: true, clusters: [] })).toBe('### Sweep (dry run): 0 clusters seen, 0 acted on\n\nNo clusters found.');
});
