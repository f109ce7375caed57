// registerCatalog against moto's Glue and S3: the table definitions (columns, types, partition
// keys, location, Parquet SerDe) come from the contract; the partitions are the key=value
// prefixes on S3 after a full run and after a daily run; a retry changes nothing; partitions a
// run removed leave the catalog; an older definition (songs by year/artist_id) is brought in line.
import { CreateDatabaseCommand, CreateTableCommand, GetPartitionsCommand, GetTableCommand, GetTableVersionsCommand, GlueClient, BatchCreatePartitionCommand } from '@aws-sdk/client-glue';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createActivities } from '../../activities';
import { createCatalogActivities } from '../../activities/catalog';
import { loadConfig } from '../../infra/config';
import { SPARKIFY_TABLES } from '../../pipelines/sparkify-tables';
import { emrSettings, startMoto, type Moto } from '../support/moto';

let moto: Moto;
let glue: GlueClient;
let s3: S3Client;
const ALL = SPARKIFY_TABLES.map((t) => t.name);

beforeAll(async () => {
  moto = await startMoto();
  const common = { endpoint: moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  glue = new GlueClient(common);
  s3 = new S3Client({ ...common, forcePathStyle: true });
});
afterAll(async () => moto?.stop());

/** A lake in its own bucket and Glue database, so the tests do not see each other's tables. */
async function lake(name: string, { database = true } = {}) {
  const bucket = `lake-${name}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
  if (database) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: `db_${name}` } }));
  const env = { ...emrSettings(moto.endpoint), EMRFLOW_AWS_REGION: 'us-west-2', EMRFLOW_DATALAKE_OUTPUT_DATA: `s3://${bucket}/lake`, EMRFLOW_CATALOG_DATABASE: `db_${name}` };
  const { config } = loadConfig({ env, cwd: process.cwd() });
  const { registerCatalog } = createCatalogActivities(config);
  const put = (key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `lake/${key}`, Body: 'PAR1' }));
  const remove = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `lake/${key}` }));
  const partitions = async (table: string) => {
    const res = await glue.send(new GetPartitionsCommand({ DatabaseName: `db_${name}`, TableName: table }));
    return (res.Partitions ?? []).map((p) => ({ values: p.Values, location: p.StorageDescriptor?.Location })).sort((a, b) => a.location!.localeCompare(b.location!));
  };
  const register = (tables: string[], mode: 'full' | 'daily') => registerCatalog({ outputUri: `s3://${bucket}/lake`, tables, mode });
  return { bucket, database: `db_${name}`, put, remove, partitions, register };
}

/** What a full run over two months publishes (Spark's layout, with its _SUCCESS markers). */
async function fullRunLayout(l: Awaited<ReturnType<typeof lake>>) {
  for (const m of [10, 11]) {
    await l.put(`songplays/year=2018/month=${m}/part-00000-a.snappy.parquet`);
    await l.put(`time/year=2018/month=${m}/part-00000-b.snappy.parquet`);
  }
  await l.put('songplays/_SUCCESS');
  await l.put('users/part-00000-c.snappy.parquet');
  await l.put('artists/part-00000-d.snappy.parquet');
  for (const y of [0, 1956, 1965]) await l.put(`songs/year=${y}/part-00000-e.snappy.parquet`);
}

describe('registerCatalog on Glue (moto)', () => {
  test('a full run: every table defined from the contract, every partition on S3 registered', async () => {
    const l = await lake('full');
    await fullRunLayout(l);
    const result = await l.register(ALL, 'full');
    expect(result.database).toBe('db_full');
    expect(result.tables).toEqual([
      { name: 'songplays', created: true, updated: false, partitionsAdded: 2, partitionsRemoved: 0 },
      { name: 'users', created: true, updated: false, partitionsAdded: 0, partitionsRemoved: 0 },
      { name: 'songs', created: true, updated: false, partitionsAdded: 3, partitionsRemoved: 0 },
      { name: 'artists', created: true, updated: false, partitionsAdded: 0, partitionsRemoved: 0 },
      { name: 'time', created: true, updated: false, partitionsAdded: 2, partitionsRemoved: 0 },
    ]);
    for (const contract of SPARKIFY_TABLES) {
      const t = (await glue.send(new GetTableCommand({ DatabaseName: l.database, Name: contract.name }))).Table!;
      expect(t.TableType).toBe('EXTERNAL_TABLE');
      expect(t.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type])).toEqual(contract.columns.map((c) => [c.name, c.type]));
      expect(t.PartitionKeys?.map((c) => [c.Name, c.Type])).toEqual(contract.partitionKeys.map((c) => [c.name, c.type]));
      expect(t.StorageDescriptor?.Location).toBe(`s3://${l.bucket}/lake/${contract.name}/`);
      expect(t.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(t.StorageDescriptor?.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
      expect(t.StorageDescriptor?.OutputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
    }
    expect(await l.partitions('songplays')).toEqual([
      { values: ['2018', '10'], location: `s3://${l.bucket}/lake/songplays/year=2018/month=10/` },
      { values: ['2018', '11'], location: `s3://${l.bucket}/lake/songplays/year=2018/month=11/` },
    ]);
    expect((await l.partitions('songs')).map((p) => p.values)).toEqual([['0'], ['1956'], ['1965']]);
  });

  test('a retried registration changes nothing: no new table version, no partition added or removed', async () => {
    const l = await lake('retry');
    await fullRunLayout(l);
    await l.register(ALL, 'full');
    const versions = async () => (await glue.send(new GetTableVersionsCommand({ DatabaseName: l.database, TableName: 'songplays' }))).TableVersions?.length;
    const before = { versions: await versions(), partitions: await l.partitions('songplays') };
    const again = await l.register(ALL, 'full');
    expect(again.tables.every((t) => !t.created && !t.updated && t.partitionsAdded === 0 && t.partitionsRemoved === 0)).toBe(true);
    expect({ versions: await versions(), partitions: await l.partitions('songplays') }).toEqual(before);
  });

  test('a partition already registered (an earlier attempt whose answer was lost) is not an error', async () => {
    const l = await lake('lost');
    await fullRunLayout(l);
    await l.register(['songplays'], 'full');
    await l.put('songplays/year=2018/month=12/part-00000-f.snappy.parquet');
    // Another attempt got as far as adding December, then its answer was lost.
    const t = (await glue.send(new GetTableCommand({ DatabaseName: l.database, Name: 'songplays' }))).Table!;
    await glue.send(new BatchCreatePartitionCommand({ DatabaseName: l.database, TableName: 'songplays', PartitionInputList: [
      { Values: ['2018', '12'], StorageDescriptor: { ...t.StorageDescriptor, Location: `s3://${l.bucket}/lake/songplays/year=2018/month=12/` } }] }));
    const r = await l.register(['songplays'], 'daily');
    expect(r.tables[0]).toMatchObject({ partitionsAdded: 0, partitionsRemoved: 0 });
    expect((await l.partitions('songplays')).map((p) => p.values)).toEqual([['2018', '10'], ['2018', '11'], ['2018', '12']]);
  });

  test('a daily run adds its month; a full run that no longer has a month removes its partition', async () => {
    const l = await lake('daily');
    await fullRunLayout(l);
    await l.register(ALL, 'full');
    await l.put('songplays/year=2018/month=12/part-00000-g.snappy.parquet');
    await l.put('time/year=2018/month=12/part-00000-h.snappy.parquet');
    const daily = await l.register(['songplays', 'time', 'users'], 'daily');
    expect(daily.tables.map((t) => [t.name, t.partitionsAdded, t.partitionsRemoved])).toEqual([['songplays', 1, 0], ['time', 1, 0], ['users', 0, 0]]);
    expect((await l.partitions('time')).map((p) => p.values)).toEqual([['2018', '10'], ['2018', '11'], ['2018', '12']]);

    await l.remove('songplays/year=2018/month=10/part-00000-a.snappy.parquet');
    await l.remove('time/year=2018/month=10/part-00000-b.snappy.parquet');
    await l.remove('songs/year=0/part-00000-e.snappy.parquet');
    const full = await l.register(ALL, 'full');
    expect(full.tables.map((t) => [t.name, t.partitionsAdded, t.partitionsRemoved])).toEqual([
      ['songplays', 0, 1], ['users', 0, 0], ['songs', 0, 1], ['artists', 0, 0], ['time', 0, 1]]);
    expect((await l.partitions('songplays')).map((p) => p.values)).toEqual([['2018', '11'], ['2018', '12']]);
    expect((await l.partitions('songs')).map((p) => p.values)).toEqual([['1956'], ['1965']]);
  });

  test('a definition that differs from the contract (old songs layout by year/artist_id, a changed type) is updated', async () => {
    const l = await lake('drift');
    const loc = `s3://${l.bucket}/lake/songs/`;
    const serde = { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' };
    await glue.send(new CreateTableCommand({ DatabaseName: l.database, TableInput: {
      Name: 'songs', TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [{ Name: 'year', Type: 'int' }, { Name: 'artist_id', Type: 'string' }],
      StorageDescriptor: { Location: loc, SerdeInfo: serde, Columns: [{ Name: 'song_id', Type: 'string' }, { Name: 'title', Type: 'string' }, { Name: 'duration', Type: 'string' }] },
    } }));
    await glue.send(new BatchCreatePartitionCommand({ DatabaseName: l.database, TableName: 'songs', PartitionInputList: [
      { Values: ['1956', 'AR1'], StorageDescriptor: { Location: `${loc}year=1956/artist_id=AR1/`, SerdeInfo: serde } }] }));
    // The lake itself still in the old layout: its year= directories are the new partitions.
    await l.put('songs/year=1956/artist_id=AR1/part-00000-i.snappy.parquet');
    const r = await l.register(['songs'], 'full');
    expect(r.tables[0]).toEqual({ name: 'songs', created: false, updated: true, partitionsAdded: 1, partitionsRemoved: 1 });
    const t = (await glue.send(new GetTableCommand({ DatabaseName: l.database, Name: 'songs' }))).Table!;
    expect(t.PartitionKeys?.map((k) => k.Name)).toEqual(['year']);
    expect(t.StorageDescriptor?.Columns?.map((c) => `${c.Name}:${c.Type}`)).toEqual(['song_id:string', 'title:string', 'artist_id:string', 'duration:double']);
    expect(await l.partitions('songs')).toEqual([{ values: ['1956'], location: `${loc}year=1956/` }]);
  });

  test('a missing database is one non-retryable error naming the fix; an unknown table is refused', async () => {
    const l = await lake('nodb', { database: false });
    const err = await l.register(['users'], 'full').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toBe('Glue database "db_nodb" does not exist ([catalog] database): run `emrflow aws bootstrap`');
    const l2 = await lake('unknown');
    const unknown = await l2.register(['plays'], 'full').catch((e: unknown) => e);
    expect((unknown as Error).message).toBe('unknown table "plays": the contract (pipelines/sparkify-tables.ts) has songplays, users, songs, artists, time');
  });

  test('the worker\'s activities include it: provider = emr registers the five tables through createActivities', async () => {
    const l = await lake('worker');
    await fullRunLayout(l);
    const env = { ...emrSettings(moto.endpoint), EMRFLOW_DATALAKE_OUTPUT_DATA: `s3://${l.bucket}/lake`, EMRFLOW_CATALOG_DATABASE: l.database };
    const { config } = loadConfig({ env, cwd: process.cwd() });
    const r = await createActivities(config).registerCatalog({ outputUri: config.datalake.output_data, tables: ALL, mode: 'full' });
    expect(r.tables.map((t) => [t.name, t.created, t.partitionsAdded])).toEqual([['songplays', true, 2], ['users', true, 0], ['songs', true, 3], ['artists', true, 0], ['time', true, 2]]);
  });

  test('provider = local: nothing to register, and it says so', async () => {
    const { config } = loadConfig({ env: {}, cwd: process.cwd() });
    const r = await createCatalogActivities(config).registerCatalog({ outputUri: '/tmp/lake', tables: ALL, mode: 'full' });
    expect(r).toEqual({ database: 'duckdb (local views)', tables: [] });
  });
});
