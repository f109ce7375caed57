// `emrflow query` on provider = emr: Athena over the Glue catalog registerCatalog keeps. The
// query runs in the configured workgroup; we wait with progress on stderr, read the result
// page by page (GetQueryResults returns at most 1000 rows a call), and stop the query on
// Ctrl-C (an abandoned Athena query keeps running, and scanning, otherwise).
import {
  GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand,
  type AthenaClient, type QueryExecution,
} from '@aws-sdk/client-athena';
import { callTimeout } from '../../activities/aws-clients';
import type { EmrflowConfig } from '../config';
import { QueryFailed, typedCell, type Cell, type QueryResult } from './result';

/** Where Athena writes results: [catalog] athena_results_uri, else next to the EMR logs. */
export function athenaResultsUri(config: EmrflowConfig): string | undefined {
  if (config.catalog.athena_results_uri) return `${config.catalog.athena_results_uri}/`;
  const logs = config.s3.log_uri;
  if (!logs) return undefined;
  // s3://b/emrflow/logs → s3://b/emrflow/athena-results/ (a sibling); s3://b → s3://b/athena-results/
  return /^s3:\/\/[^/]+\/.+/.test(logs) ? `${logs.replace(/\/[^/]*$/, '')}/athena-results/` : `${logs}/athena-results/`;
}

export interface AthenaQueryOptions {
  maxRows: number;
  /** One line of progress (state, time, data scanned). */
  progress: (line: string) => void;
  /** Aborted (Ctrl-C): the query is stopped on Athena, then QueryFailed says so. */
  signal?: AbortSignal;
  /** Between two GetQueryExecution calls (default: 0.5 s growing to 2 s). */
  pollMs?: (attempt: number) => number;
  /** GetQueryResults page size (Athena's maximum, 1000, by default). */
  pageSize?: number;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

const scanned = (bytes = 0) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export async function athenaQuery(athena: AthenaClient, config: EmrflowConfig, sql: string, o: AthenaQueryOptions): Promise<QueryResult> {
  const workgroup = config.catalog.athena_workgroup;
  const output = athenaResultsUri(config);
  let id: string;
  try {
    id = (await athena.send(new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: workgroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: config.catalog.database },
      ...(output ? { ResultConfiguration: { OutputLocation: output } } : {}),
    }), callTimeout())).QueryExecutionId!;
  } catch (e) {
    if ((e as Error).name === 'InvalidRequestException') throw new QueryFailed(`Athena refused the query: ${(e as Error).message}`);
    throw e;
  }
  const started = Date.now();
  let execution: QueryExecution | undefined;
  let lastState = '';
  let lastSaid = 0;
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) {
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), callTimeout());
      throw new QueryFailed(`query ${id} cancelled: StopQueryExecution sent to Athena`);
    }
    execution = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), callTimeout())).QueryExecution;
    const state = execution?.Status?.State ?? 'UNKNOWN';
    const seconds = Math.round((Date.now() - started) / 1000);
    if (state !== lastState || Date.now() - lastSaid >= 10_000) {
      o.progress(`athena query ${id}: ${state} after ${seconds}s, ${scanned(execution?.Statistics?.DataScannedInBytes)} scanned`);
      lastState = state;
      lastSaid = Date.now();
    }
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED') {
      const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? 'no reason given';
      throw new QueryFailed(reason.split('\n')[0]!);
    }
    if (state === 'CANCELLED') throw new QueryFailed(`query ${id} was cancelled: ${execution?.Status?.StateChangeReason ?? 'by someone else'}`);
    await sleep(o.pollMs ? o.pollMs(attempt) : Math.min(500 * 1.5 ** attempt, 2000), o.signal);
  }
  return readResults(athena, id, execution?.StatementType === 'DML', workgroup, o);
}

async function readResults(athena: AthenaClient, id: string, isSelect: boolean, workgroup: string, o: AthenaQueryOptions): Promise<QueryResult> {
  let columns: QueryResult['columns'] = [];
  const rows: Cell[][] = [];
  let token: string | undefined;
  let first = true;
  let truncated = false;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: o.pageSize ?? 1000 }), callTimeout());
    if (first) columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Label ?? c.Name ?? '', type: c.Type ?? 'varchar' }));
    let values = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
    // A SELECT's first row is its column labels, not data.
    if (first && isSelect && values[0] && values[0].every((v, i) => v === columns[i]?.name)) values = values.slice(1);
    first = false;
    for (const v of values) {
      if (rows.length === o.maxRows) { truncated = true; break; }
      rows.push(v.map((cell, i) => typedCell(columns[i]?.type ?? 'varchar', cell)));
    }
    token = page.NextToken;
    if (truncated) break;
  } while (token);
  return { columns, rows, truncated, engine: `athena (workgroup ${workgroup})` };
}
