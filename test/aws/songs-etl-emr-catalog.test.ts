// Issue #14, "What it must show": with provider = emr against moto, a published songs-etl run
// leaves the five tables and their partitions in the Glue catalog. The real workflow and the
// real activities (preflight, cluster, step, report, audit, publish on S3, catalog on Glue) run;
// the test plays the Spark step, which moto never runs: when the step appears it writes into
// moto's S3 what `etl.py --stage-only` writes for the step's own arguments
// (test/support/etl-staging.ts), and completes the step.
import { ListClustersCommand, type EMRClient } from '@aws-sdk/client-emr';
import { GetPartitionsCommand, GetTableCommand, GetTablesCommand, GetTableVersionsCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { emrClient, glueClient, iamClient, s3Client, stsClient } from '../../activities/aws-clients';
import { bootstrap } from '../../infra/aws/bootstrap';
import { loadConfig, type EmrflowConfig } from '../../infra/config';
import { SPARKIFY_TABLES } from '../../pipelines/sparkify-tables';
import { reportIdFor } from '../../workflows/run-input';
import type { CatalogRegistration, SongsEtlSummary } from '../../workflows/shared';
import { emrOnMoto, type EmrOnMoto } from '../support/emr-on-moto';
import { stepOf } from '../support/emr-run-lookup';
import { etlArgs, stageLikeEtl, type RunData } from '../support/etl-staging';
import type { Moto } from '../support/moto';

const BUCKET = 'emrflow-lake';
// A lake of this file's own: the lake lock is one workflow per output location on the shared
// dev server, so another file's run on the same location would queue behind this one.
const PREFIX = `catalog-${randomUUID().slice(0, 8)}`;
const OUTPUT = `s3://${BUCKET}/${PREFIX}`;
const ALL = SPARKIFY_TABLES.map((t) => t.name);

let moto: Moto;
let config: EmrflowConfig;
let s3: S3Client;
let emr: EMRClient;
let glue: GlueClient;
let conn: EmrOnMoto['conn'];
let setup: EmrOnMoto | undefined;

const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

beforeAll(async () => {
  setup = await emrOnMoto('emr-catalog', { EMRFLOW_AWS_REGION: 'us-west-2', EMRFLOW_DATALAKE_OUTPUT_DATA: OUTPUT });
  ({ moto, conn } = setup);
  config = loadConfig({ env: setup.env, cwd: tmpdir(), path: undefined }).config;
  expect(config.catalog.database).toBe('sparkify');
  s3 = s3Client(config.aws);
  emr = emrClient(config.aws);
  glue = glueClient(config.aws);
  // What an admin does once: `emrflow aws bootstrap` (buckets, roles, the Glue database).
  const boot = await bootstrap(config, { s3, iam: iamClient(config.aws), sts: stsClient(config.aws), glue }, { dryRun: false });
  expect(boot.actions.filter((a) => a.kind === 'glue database').map((a) => [a.name, a.action])).toEqual([['sparkify', 'created']]);
  // The input a full run over October and November 2018 reads (the preflight looks for both kinds).
  await put('in/song_data/A/A/A/TRAAAAW128F429D538.json', '{"song_id": "SOMZWCG12A8C13C480"}\n');
  await put('in/log_data/2018/10/2018-10-31-events.json', '{}\n');
  await put('in/log_data/2018/11/2018-11-30-events.json', '{}\n');
  await setup.startWorker(config);
}, 120_000);

afterAll(async () => setup?.close());



/** Starts songsEtl, plays its Spark step with `data`, and returns the run's summary and step. */
async function runPlayingSpark(workflowId: string, input: { runDate: string; mode: 'full' | 'daily' }, data: RunData) {
  const handle = await conn.client.workflow.start('songsEtl', { taskQueue: config.temporal.task_queue, workflowId, args: [input] });
  const step = await stepOf(emr, workflowId);
  const args = etlArgs(step.args);
  expect(args).toEqual({
    input: 's3://emrflow-lake/in', output: OUTPUT, mode: input.mode, runDate: input.runDate,
    runId: reportIdFor(workflowId, handle.firstExecutionRunId), stageOnly: true,
  });
  await moto.setStepState(step.clusterId, step.stepId, 'RUNNING');
  const report = await stageLikeEtl(s3, args, data);
  await moto.setStepState(step.clusterId, step.stepId, 'COMPLETED');
  const summary = await handle.result() as SongsEtlSummary;
  expect(summary.rows).toEqual(report.rows);
  // createWorker starts no dependant runs (sparkify-reports) unless asked: none holds the lake.
  expect(summary.dependantsStarted).toEqual([]);
  expect(summary.tasks.map((t) => [t.id, t.state])).toEqual(
    [['input', 'succeeded'], ['etl', 'succeeded'], ['audit', 'succeeded'], ['publish', 'succeeded'], ['catalog', 'succeeded']]);
  const { Clusters = [] } = await emr.send(new ListClustersCommand({}));
  expect(Clusters.filter((c) => c.Name === `emrflow-${workflowId}`).map((c) => c.Status?.State), 'the run\'s cluster').toEqual(['TERMINATED']);
  return { handle, summary, runId: args.runId, registration: await registrationOf(handle) };
}

/** What the run's registerCatalog activity returned, from the run's history. */
async function registrationOf(handle: WorkflowHandle): Promise<CatalogRegistration> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerCatalog');
  expect(scheduled, 'registerCatalog scheduled once').toHaveLength(1);
  const done = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled[0]!.eventId));
  return defaultPayloadConverter.fromPayload(done!.activityTaskCompletedEventAttributes!.result!.payloads![0]!);
}

/** The `key=value/...` directories that hold the published table's data files on S3. */
async function publishedPartitions(table: string): Promise<string[]> {
  const base = `${PREFIX}/${table}/`;
  const dirs = (await keysUnder(base)).map((k) => k.slice(base.length)).filter((k) => k.endsWith('.parquet'))
    .map((k) => k.split('/').slice(0, -1).join('/')).filter((d) => d !== '');
  return [...new Set(dirs)].sort();
}

/** The table's partitions in Glue, as the directory each one points at, checked against its values. */
async function gluePartitions(table: string): Promise<string[]> {
  const keys = SPARKIFY_TABLES.find((t) => t.name === table)!.partitionKeys.map((k) => k.name);
  const { Partitions = [] } = await glue.send(new GetPartitionsCommand({ DatabaseName: 'sparkify', TableName: table }));
  const base = `${OUTPUT}/${table}/`;
  return Partitions.map((p) => {
    const location = p.StorageDescriptor!.Location!;
    expect(location.startsWith(base) && location.endsWith('/'), location).toBe(true);
    const dir = location.slice(base.length, -1);
    expect(dir, 'the partition\'s values name its directory').toBe(keys.map((k, i) => `${k}=${p.Values![i]}`).join('/'));
    expect(p.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    return dir;
  }).sort();
}

async function expectCatalogMatchesLake(expected: Record<string, string[]>) {
  const { TableList = [] } = await glue.send(new GetTablesCommand({ DatabaseName: 'sparkify' }));
  expect(TableList.map((t) => t.Name).sort()).toEqual([...ALL].sort());
  for (const contract of SPARKIFY_TABLES) {
    const t = (await glue.send(new GetTableCommand({ DatabaseName: 'sparkify', Name: contract.name }))).Table!;
    expect(t.TableType).toBe('EXTERNAL_TABLE');
    expect(t.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type]), `${contract.name} columns`).toEqual(contract.columns.map((c) => [c.name, c.type]));
    expect(t.PartitionKeys?.map((c) => [c.Name, c.Type]), `${contract.name} partition keys`).toEqual(contract.partitionKeys.map((c) => [c.name, c.type]));
    expect(t.StorageDescriptor?.Location).toBe(`${OUTPUT}/${contract.name}/`);
    expect(t.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(t.StorageDescriptor?.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(t.StorageDescriptor?.OutputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
    const onS3 = await publishedPartitions(contract.name);
    expect(onS3, `${contract.name}: what the run published`).toEqual(expected[contract.name]);
    if (contract.partitionKeys.length > 0) expect(await gluePartitions(contract.name), `${contract.name}: partitions in Glue`).toEqual(onS3);
    else expect(await gluePartitions(contract.name)).toEqual([]);
  }
}

async function expectNothingStaged() {
  for (const dir of ['_staging/', '_previous/', '_publish/']) expect(await keysUnder(`${PREFIX}/${dir}`), dir).toEqual([]);
}

async function reportOf(runId: string): Promise<Record<string, unknown>> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/_reports/${runId}.json` }));
  return JSON.parse(await res.Body!.transformToString()) as Record<string, unknown>;
}

const OCT_NOV = ['year=2018/month=10', 'year=2018/month=11'];
const SONG_YEARS = ['year=0', 'year=1956', 'year=1965', 'year=2004'];

test('a full run, then a daily run of a new month: the five tables and their partitions are in Glue, and a retried registration changes nothing', async () => {
  // The full run over October and November.
  const full = await runPlayingSpark(`emr-catalog-full-${Date.now()}`, { runDate: '2018-11-30', mode: 'full' }, {
    months: [[2018, 10, 235], [2018, 11, 225]], users: 7, songYears: [0, 1956, 1965, 2004], songs: 30, artists: 9,
    rejected: { malformed_json: 1 }, input: { song_files: 30, log_files: 2, song_records: 30, log_records: 601 },
  });
  expect(full.summary).toMatchObject({ mode: 'full', provider: 'emr', output: OUTPUT });
  expect(full.registration).toEqual({
    database: 'sparkify',
    tables: [
      { name: 'songplays', created: true, updated: false, partitionsAdded: 2, partitionsRemoved: 0 },
      { name: 'users', created: true, updated: false, partitionsAdded: 0, partitionsRemoved: 0 },
      { name: 'songs', created: true, updated: false, partitionsAdded: 4, partitionsRemoved: 0 },
      { name: 'artists', created: true, updated: false, partitionsAdded: 0, partitionsRemoved: 0 },
      { name: 'time', created: true, updated: false, partitionsAdded: 2, partitionsRemoved: 0 },
    ],
  });
  await expectCatalogMatchesLake({ songplays: OCT_NOV, time: OCT_NOV, songs: SONG_YEARS, users: [], artists: [] });
  await expectNothingStaged();
  expect(await keysUnder(`${PREFIX}/_rejects/${full.runId}/`)).toHaveLength(2);
  expect(await reportOf(full.runId)).toMatchObject({ published: true });

  // December's first log arrives; the daily run for it adds the month (no new song: songs and
  // artists are left as they are).
  await put('in/log_data/2018/12/2018-12-01-events.json', '{}\n');
  const songFilesBefore = await keysUnder(`${PREFIX}/songs/`);
  const daily = await runPlayingSpark(`emr-catalog-daily-${Date.now()}`, { runDate: '2018-12-01', mode: 'daily' }, {
    months: [[2018, 12, 40]], users: 8, songYears: null, songs: 0, artists: 0,
    rejected: {}, input: { song_files: 30, log_files: 1, song_records: 30, log_records: 40 },
  });
  expect(daily.summary).toMatchObject({ mode: 'daily', provider: 'emr', rows: { songs: 'unchanged', artists: 'unchanged' } });
  expect(daily.registration.tables.map((t) => [t.name, t.created, t.updated, t.partitionsAdded, t.partitionsRemoved])).toEqual([
    ['songplays', false, false, 1, 0], ['users', false, false, 0, 0], ['songs', false, false, 0, 0], ['artists', false, false, 0, 0], ['time', false, false, 1, 0],
  ]);
  const OCT_DEC = [...OCT_NOV, 'year=2018/month=12'];
  await expectCatalogMatchesLake({ songplays: OCT_DEC, time: OCT_DEC, songs: SONG_YEARS, users: [], artists: [] });
  expect(await keysUnder(`${PREFIX}/songs/`), 'songs untouched by the daily run').toEqual(songFilesBefore);
  await expectNothingStaged();
  expect(await reportOf(daily.runId)).toMatchObject({ published: true });

  // A retry of the catalog stage (the activity run again with the same input) changes nothing.
  const snapshot = async () => Promise.all(ALL.map(async (name) => ({
    table: (await glue.send(new GetTableCommand({ DatabaseName: 'sparkify', Name: name }))).Table,
    versions: (await glue.send(new GetTableVersionsCommand({ DatabaseName: 'sparkify', TableName: name }))).TableVersions?.length,
    partitions: (await glue.send(new GetPartitionsCommand({ DatabaseName: 'sparkify', TableName: name }))).Partitions,
  })));
  const before = await snapshot();
  const again = await createActivities(config).registerCatalog({ outputUri: OUTPUT, tables: ALL, mode: 'daily' });
  expect(again).toEqual({
    database: 'sparkify',
    tables: ALL.map((name) => ({ name, created: false, updated: false, partitionsAdded: 0, partitionsRemoved: 0 })),
  });
  expect(await snapshot()).toEqual(before);
}, 240_000);
