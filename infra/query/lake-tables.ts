// `emrflow tables`: what each table of the contract holds right now, read from the lake itself
// (files, sizes, key=value partitions), with the run that last wrote it from the run reports.
import type { S3Client } from '@aws-sdk/client-s3';
import { isDataFile, listTableFiles, partitionPath, partitionsOf } from '../../activities/catalog/lake-files';
import { SPARKIFY_TABLES } from '../../pipelines/sparkify-tables';
import { DuckDbLake } from './duckdb-engine';
import { lastWrites, type LastWrite } from './run-reports';

export interface TableInfo {
  name: string;
  /** False until a run has written the table. */
  exists: boolean;
  partitionKeys: string[];
  /** e.g. ["year=2018/month=11"]; [] for an unpartitioned table. */
  partitions: string[];
  /** Exact count locally (DuckDB reads the Parquet footers); null on S3, where counting is an Athena query. */
  rows: number | null;
  files: number;
  bytes: number;
  lastWrite: LastWrite | null;
}

export async function describeTables(outputUri: string, s3: () => S3Client): Promise<TableInfo[]> {
  const names = SPARKIFY_TABLES.map((t) => t.name);
  const writes = await lastWrites(outputUri, names, s3);
  const local = !outputUri.startsWith('s3://');
  const lake = local ? await DuckDbLake.open(outputUri) : undefined;
  try {
    const out: TableInfo[] = [];
    for (const t of SPARKIFY_TABLES) {
      const keys = t.partitionKeys.map((k) => k.name);
      const data = ((await listTableFiles(outputUri, t.name, s3)) ?? []).filter((f) => isDataFile(f.path));
      const exists = data.length > 0;
      let rows: number | null = null;
      if (lake && exists) {
        const r = await lake.query(`SELECT count(*) AS n FROM ${t.name}`, 1);
        rows = Number(r.rows[0]![0]);
      }
      out.push({
        name: t.name,
        exists,
        partitionKeys: keys,
        partitions: partitionsOf(data, keys).map((v) => partitionPath(keys, v)),
        rows: exists ? rows : 0,
        files: data.length,
        bytes: data.reduce((sum, f) => sum + f.bytes, 0),
        lastWrite: writes[t.name] ?? null,
      });
    }
    return out;
  } finally {
    lake?.close();
  }
}

const size = (b: number) => (b < 1024 ? `${b} B` : b < 1024 ** 2 ? `${(b / 1024).toFixed(1)} KB` : b < 1024 ** 3 ? `${(b / 1024 ** 2).toFixed(1)} MB` : `${(b / 1024 ** 3).toFixed(2)} GB`);

/** Partitions shown compactly: their count and the first and last. */
function partitionSummary(t: TableInfo): string {
  if (t.partitionKeys.length === 0) return '-';
  const n = t.partitions.length;
  if (n === 0) return `0 (by ${t.partitionKeys.join(', ')})`;
  return n === 1 ? `1: ${t.partitions[0]}` : `${n}: ${t.partitions[0]} … ${t.partitions[n - 1]}`;
}

export function formatTables(tables: TableInfo[]): string {
  const header = ['table', 'partitions', 'rows', 'files', 'size', 'last written by'];
  const body = tables.map((t) => (t.exists
    ? [t.name, partitionSummary(t), t.rows === null ? '?' : String(t.rows), String(t.files), size(t.bytes),
      t.lastWrite ? `${t.lastWrite.runId} (${t.lastWrite.mode}) at ${t.lastWrite.at}` : 'no run report']
    : [t.name, 'not written yet: no run has published it', '', '', '', '']));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
