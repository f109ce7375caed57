// What `emrflow query` and the catalog stage need on AWS: the Glue database the tables are
// registered in and the Athena workgroup queries run in, with its result location.
// `aws bootstrap` creates them (tagged emrflow:managed=true); `aws check` checks them. What
// exists is left as it is.
import { AthenaClient, CreateWorkGroupCommand, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, GetDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { callTimeout } from '../../activities/aws-clients';
import { awsProblem } from '../../activities/preflight/aws-problem';
import type { PreflightCheck } from '../../workflows/shared';
import type { EmrflowConfig } from '../config';
import { athenaResultsUri } from '../query/athena-engine';
import { MANAGED_TAG, type BootstrapAction } from './bootstrap-types';

export interface CatalogClients { glue: GlueClient; athena: AthenaClient }

const notFound = (e: unknown) => ['EntityNotFoundException'].includes((e as Error).name);
// Athena answers a missing workgroup with InvalidRequestException ("WorkGroup ... is not found").
const noWorkgroup = (e: unknown) => (e as Error).name === 'InvalidRequestException' && /not (be )?found|does not exist/i.test((e as Error).message);

const FIX = 'run `emrflow aws bootstrap`';

type Found<T> = { found: true; value: T } | { found: false; problem: string; missing: boolean };

async function probeDatabase(glue: GlueClient, name: string): Promise<Found<string>> {
  try {
    const db = (await glue.send(new GetDatabaseCommand({ Name: name }), callTimeout())).Database;
    return { found: true, value: db?.LocationUri ?? '' };
  } catch (e) {
    return { found: false, missing: notFound(e), problem: notFound(e) ? 'does not exist' : awsProblem(e).message };
  }
}

async function probeWorkgroup(athena: AthenaClient, name: string): Promise<Found<{ state: string; output?: string }>> {
  try {
    const wg = (await athena.send(new GetWorkGroupCommand({ WorkGroup: name }), callTimeout())).WorkGroup;
    if (!wg) return { found: false, missing: true, problem: 'does not exist' };
    return { found: true, value: { state: wg?.State ?? 'ENABLED', output: wg?.Configuration?.ResultConfiguration?.OutputLocation } };
  } catch (e) {
    return { found: false, missing: noWorkgroup(e), problem: noWorkgroup(e) ? 'does not exist' : awsProblem(e).message };
  }
}

export async function catalogChecks(config: EmrflowConfig, c: CatalogClients): Promise<PreflightCheck[]> {
  const database = config.catalog.database;
  const workgroup = config.catalog.athena_workgroup;
  const checks: PreflightCheck[] = [];
  const db = await probeDatabase(c.glue, database);
  checks.push(db.found
    ? { name: `glue database ${database}`, ok: true, detail: 'exists ([catalog] database)' }
    : { name: `glue database ${database}`, ok: false, detail: db.problem, fix: db.missing ? FIX : 'grant glue:GetDatabase, or check [aws] region' });
  const wg = await probeWorkgroup(c.athena, workgroup);
  const name = `athena workgroup ${workgroup}`;
  const results = athenaResultsUri(config);
  if (!wg.found) checks.push({ name, ok: false, detail: wg.problem, fix: wg.missing ? FIX : 'grant athena:GetWorkGroup, or check [aws] region' });
  else if (wg.value.state !== 'ENABLED') checks.push({ name, ok: false, detail: `is ${wg.value.state}`, fix: `enable it: aws athena update-work-group --work-group ${workgroup} --state ENABLED` });
  else if (!wg.value.output && !results) checks.push({ name, ok: false, detail: 'has no query result location', fix: 'set [catalog] athena_results_uri (or [s3] log_uri) in dl.cfg' });
  else checks.push({ name, ok: true, detail: `query results to ${wg.value.output ?? results}` });
  return checks;
}

export async function ensureGlueDatabase(glue: GlueClient, name: string, dryRun: boolean): Promise<BootstrapAction> {
  const base = { kind: 'glue database' as const, name };
  const found = await probeDatabase(glue, name);
  if (found.found) return { ...base, action: 'exists', detail: '([catalog] database) left as it is' };
  if (!found.missing) return { ...base, action: 'failed', detail: `${found.problem} — fix: check that these credentials may use Glue (glue:GetDatabase)` };
  const detail = 'for the tables the catalog stage registers ([catalog] database)';
  if (dryRun) return { ...base, action: 'would create', detail };
  try {
    await glue.send(new CreateDatabaseCommand({
      DatabaseInput: { Name: name, Description: 'emrflow: the Sparkify star schema, registered after every published run' },
      Tags: { [MANAGED_TAG.Key]: MANAGED_TAG.Value },
    }), callTimeout());
  } catch (e) {
    if ((e as Error).name !== 'AlreadyExistsException') return { ...base, action: 'failed', detail: `${awsProblem(e).message} — fix: check that these credentials may create Glue databases (glue:CreateDatabase)` };
  }
  return { ...base, action: 'created', detail };
}

export async function ensureAthenaWorkgroup(athena: AthenaClient, config: EmrflowConfig, dryRun: boolean): Promise<BootstrapAction> {
  const name = config.catalog.athena_workgroup;
  const base = { kind: 'athena workgroup' as const, name };
  const found = await probeWorkgroup(athena, name);
  if (found.found) return { ...base, action: 'exists', detail: `(query results to ${found.value.output ?? 'the location each query names'}) left as it is` };
  if (!found.missing) return { ...base, action: 'failed', detail: `${found.problem} — fix: check that these credentials may use Athena (athena:GetWorkGroup)` };
  const output = athenaResultsUri(config);
  if (!output) return { ...base, action: 'failed', detail: 'no place for query results — fix: set [catalog] athena_results_uri (or [s3] log_uri) in dl.cfg' };
  const detail = `query results to ${output}, encrypted (SSE-S3)`;
  if (dryRun) return { ...base, action: 'would create', detail };
  try {
    await athena.send(new CreateWorkGroupCommand({
      Name: name,
      Description: 'emrflow query: the Sparkify star schema in the Glue catalog',
      Configuration: {
        ResultConfiguration: { OutputLocation: output, EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
        PublishCloudWatchMetricsEnabled: true,
      },
      Tags: [{ ...MANAGED_TAG }],
    }), callTimeout());
  } catch (e) {
    return { ...base, action: 'failed', detail: `${awsProblem(e).message} — fix: check that these credentials may create Athena workgroups (athena:CreateWorkGroup)` };
  }
  return { ...base, action: 'created', detail };
}
