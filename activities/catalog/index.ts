// The catalog stage: after a run publishes, the tables it changed become tables people query.
// On EMR that is the Glue Data Catalog (Athena reads it); locally DuckDB reads the Parquet files
// directly (`emrflow query`), so there is nothing to register.
import { Context } from '@temporalio/activity';
import type { S3Client } from '@aws-sdk/client-s3';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { EmrflowConfig } from '../../infra/config';
import type { CatalogRegistration, EtlMode } from '../../workflows/shared';
import { glueClient, s3Client } from '../aws-clients';
import { registerInGlue } from './register';

export const LOCAL_CATALOG = 'duckdb (local views)';

export interface CatalogActivityDeps {
  /** Shared with the other activities, so one worker builds one S3 client. */
  s3?: () => S3Client;
  glue?: () => GlueClient;
}

function heartbeat(detail: string): void {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // Called outside an activity (tests, CLI): nothing to heartbeat to.
  }
}

export function createCatalogActivities(config: EmrflowConfig, deps: CatalogActivityDeps = {}) {
  let glue: GlueClient | undefined;
  let s3: S3Client | undefined;
  const getGlue = deps.glue ?? (() => (glue ??= glueClient(config.aws)));
  const getS3 = deps.s3 ?? (() => (s3 ??= s3Client(config.aws)));
  return {
    async registerCatalog(input: { outputUri: string; tables: string[]; mode: EtlMode }): Promise<CatalogRegistration> {
      if (config.cluster.provider === 'local') return { database: LOCAL_CATALOG, tables: [] };
      heartbeat(`registering ${input.tables.join(', ')} (${input.mode} run) in Glue database ${config.catalog.database}`);
      return registerInGlue({ glue: getGlue(), s3: getS3, database: config.catalog.database, progress: heartbeat }, input);
    },
  };
}
