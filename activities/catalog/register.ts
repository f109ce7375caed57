// registerCatalog on AWS: makes the Glue Data Catalog say what the lake holds. Each table is
// created from the contract when missing and updated when the contract changed; its partitions
// are reconciled with the `key=value/` prefixes found on S3 (new ones added, ones no longer on S3
// deleted). Every step compares before it writes, so a retried registration changes nothing.
// Full and daily runs reconcile alike: a daily run can remove a month too (a manifest move with
// `staged: null`), so the catalog follows what is on S3, whatever the mode.
import {
  BatchCreatePartitionCommand, BatchDeletePartitionCommand, CreateTableCommand, GetDatabaseCommand,
  GetPartitionsCommand, GetTableCommand, UpdateTableCommand, type GlueClient, type PartitionInput, type Table,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { SPARKIFY_TABLES, type TableContract } from '../../pipelines/sparkify-tables';
import type { CatalogRegistration, TableRegistration } from '../../workflows/shared';
import { callTimeout } from '../aws-clients';
import { storageDescriptor, tableDrift, tableInput } from './glue-table';
import { listTableFiles, partitionPath, partitionsOf, tableLocation } from './lake-files';

export interface GlueCatalogDeps {
  glue: GlueClient;
  s3: () => S3Client;
  database: string;
  /** Progress for long registrations (the activity heartbeats it). */
  progress?: (detail: string) => void;
}

// Glue's per-call limits.
const CREATE_BATCH = 100;
const DELETE_BATCH = 25;

const notFound = (e: unknown) => (e as Error).name === 'EntityNotFoundException';

export function contractOf(name: string): TableContract {
  const t = SPARKIFY_TABLES.find((c) => c.name === name);
  if (!t) throw ApplicationFailure.nonRetryable(`unknown table "${name}": the contract (pipelines/sparkify-tables.ts) has ${SPARKIFY_TABLES.map((c) => c.name).join(', ')}`, 'UnknownTable');
  return t;
}

export async function registerInGlue(deps: GlueCatalogDeps, input: { outputUri: string; tables: string[] }): Promise<CatalogRegistration> {
  const contracts = input.tables.map(contractOf);
  try {
    await deps.glue.send(new GetDatabaseCommand({ Name: deps.database }), callTimeout());
  } catch (e) {
    if (!notFound(e)) throw e;
    throw ApplicationFailure.nonRetryable(
      `Glue database "${deps.database}" does not exist ([catalog] database): run \`emrflow aws bootstrap\``, 'CatalogMissing');
  }
  const tables: TableRegistration[] = [];
  for (const t of contracts) {
    tables.push(await registerTable(deps, t, input.outputUri));
    deps.progress?.(`registered ${tables.length}/${contracts.length} tables (last: ${t.name})`);
  }
  return { database: deps.database, tables };
}

async function getTable(deps: GlueCatalogDeps, name: string): Promise<Table | undefined> {
  try {
    return (await deps.glue.send(new GetTableCommand({ DatabaseName: deps.database, Name: name }), callTimeout())).Table;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

async function registeredPartitions(deps: GlueCatalogDeps, table: string): Promise<string[][]> {
  const out: string[][] = [];
  let token: string | undefined;
  do {
    const page = await deps.glue.send(new GetPartitionsCommand({ DatabaseName: deps.database, TableName: table, NextToken: token }), callTimeout());
    for (const p of page.Partitions ?? []) out.push(p.Values ?? []);
    token = page.NextToken;
  } while (token);
  return out;
}

async function registerTable(deps: GlueCatalogDeps, t: TableContract, outputUri: string): Promise<TableRegistration> {
  const location = tableLocation(outputUri, t.name);
  const wanted = tableInput(t, location);
  const keys = t.partitionKeys.map((k) => k.name);
  let existing = await getTable(deps, t.name);
  let created = false;
  let updated = false;
  let partitionsRemoved = 0;
  if (!existing) {
    try {
      await deps.glue.send(new CreateTableCommand({ DatabaseName: deps.database, TableInput: wanted }), callTimeout());
      created = true;
    } catch (e) {
      // Created by an earlier attempt whose answer was lost: compare it like any existing table.
      if ((e as Error).name !== 'AlreadyExistsException') throw e;
      existing = await getTable(deps, t.name);
    }
  }
  let registered = existing ? await registeredPartitions(deps, t.name) : [];
  if (existing && tableDrift(existing, wanted) !== '') {
    // Partitions registered under other keys cannot describe the new layout: drop them first,
    // the reconciliation below registers the new ones.
    if (registered.some((v) => v.length !== keys.length) || (existing.PartitionKeys ?? []).map((k) => k.Name).join() !== keys.join()) {
      partitionsRemoved += await deletePartitions(deps, t.name, registered);
      registered = [];
    }
    await deps.glue.send(new UpdateTableCommand({ DatabaseName: deps.database, TableInput: wanted }), callTimeout());
    updated = true;
  }
  if (keys.length === 0) return { name: t.name, created, updated, partitionsAdded: 0, partitionsRemoved };

  const onS3 = partitionsOf((await listTableFiles(outputUri, t.name, deps.s3)) ?? [], keys);
  const id = (v: string[]) => JSON.stringify(v);
  const have = new Set(registered.map(id));
  const want = new Set(onS3.map(id));
  const toAdd = onS3.filter((v) => !have.has(id(v)));
  const toRemove = registered.filter((v) => !want.has(id(v)));
  const partitionsAdded = await createPartitions(deps, t, location, keys, toAdd);
  partitionsRemoved += await deletePartitions(deps, t.name, toRemove);
  return { name: t.name, created, updated, partitionsAdded, partitionsRemoved };
}

async function createPartitions(deps: GlueCatalogDeps, t: TableContract, location: string, keys: string[], values: string[][]): Promise<number> {
  let added = 0;
  for (let i = 0; i < values.length; i += CREATE_BATCH) {
    const batch = values.slice(i, i + CREATE_BATCH);
    const inputs: PartitionInput[] = batch.map((v) => ({
      Values: v,
      StorageDescriptor: storageDescriptor(t, `${location}/${partitionPath(keys, v)}`),
    }));
    const res = await deps.glue.send(new BatchCreatePartitionCommand({ DatabaseName: deps.database, TableName: t.name, PartitionInputList: inputs }), callTimeout());
    // A partition that already exists (an earlier attempt added it) is what we wanted.
    const errors = (res.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
    if (errors.length > 0) {
      const e = errors[0]!;
      throw new Error(`Glue could not add partition ${partitionPath(keys, e.PartitionValues ?? [])} of ${t.name}: ${e.ErrorDetail?.ErrorCode}: ${e.ErrorDetail?.ErrorMessage} (and ${errors.length - 1} more)`);
    }
    added += batch.length - (res.Errors ?? []).length;
  }
  return added;
}

async function deletePartitions(deps: GlueCatalogDeps, table: string, values: string[][]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < values.length; i += DELETE_BATCH) {
    const batch = values.slice(i, i + DELETE_BATCH);
    const res = await deps.glue.send(new BatchDeletePartitionCommand({
      DatabaseName: deps.database, TableName: table, PartitionsToDelete: batch.map((v) => ({ Values: v })),
    }), callTimeout());
    const errors = (res.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'EntityNotFoundException');
    if (errors.length > 0) {
      const e = errors[0]!;
      throw new Error(`Glue could not delete partition ${(e.PartitionValues ?? []).join('/')} of ${table}: ${e.ErrorDetail?.ErrorCode}: ${e.ErrorDetail?.ErrorMessage}`);
    }
    removed += batch.length - (res.Errors ?? []).length;
  }
  return removed;
}
