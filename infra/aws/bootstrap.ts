// `emrflow aws bootstrap`: creates what an EMR run needs and `aws check` finds missing — the
// buckets, the EMR service role, the EC2 role and its instance profile (with provider =
// emr-serverless: the execution role and the application instead) — and nothing else.
// Idempotent: what exists is reported and left alone. Run by an admin, not by the worker.
import { ConfigError, type EmrflowConfig } from '../config';
import type { AwsClients } from '../../activities/preflight';
import { emrTargets } from '../../activities/preflight/emr-targets';
import { probeCaller } from '../../activities/preflight/probes';
import type { BootstrapAction, BootstrapResult } from './bootstrap-types';
import { ensureBucket } from './buckets';
import { ensureAthenaWorkgroup, ensureGlueDatabase, type CatalogClients } from './catalog';
import { ensureInstanceProfile, ensureRole, serviceRoleSpec } from './roles';
import { ensureApplication, ensureExecutionRole } from './serverless';
import { serverlessTargets } from '../../activities/preflight/serverless-checks';
import { emrServerlessClient } from '../../activities/aws-clients';

export interface BootstrapOptions {
  dryRun: boolean;
  /** Called as each resource is handled, so the CLI can print it at once. */
  onAction?: (action: BootstrapAction) => void;
}

/** Credentials that do not work: nothing can be created (exit 1, not a config error). */
export class BootstrapRefused extends Error {}

export async function bootstrap(config: EmrflowConfig, clients: Omit<AwsClients, 'emr' | 'ec2'> & Partial<CatalogClients>, options: BootstrapOptions): Promise<BootstrapResult> {
  const serverless = config.cluster.provider === 'emr-serverless';
  const t = serverless ? serverlessTargets(config) : emrTargets(config);
  if (t.configProblems.length > 0) {
    const where = config.source.found ? config.source.file : 'dl.cfg';
    throw new ConfigError(`${where}: cannot bootstrap: ${t.configProblems.map((p) => `${p.name.replace(/^config /, '')} ${p.detail} — fix: ${p.fix}`).join('; ')}`);
  }
  const caller = await probeCaller(clients.sts);
  if (!caller.found) throw new BootstrapRefused(`the AWS credentials do not work (${caller.problem.message}); configure them (aws configure, AWS_PROFILE or [aws] profile) and retry`);

  const actions: BootstrapAction[] = [];
  const done = (...handled: BootstrapAction[]) => {
    for (const a of handled) {
      actions.push(a);
      options.onAction?.(a);
    }
  };
  // One at a time and in a fixed order, so the output reads the same on every run.
  for (const need of t.buckets) done(await ensureBucket(clients.s3, need, t.region, options.dryRun));
  if (serverless) {
    // No cluster roles: job runs assume the execution role on emrflow's (or the configured) application.
    done(await ensureExecutionRole(clients.iam, config.emr_serverless.execution_role_arn!, t.buckets, options.dryRun));
    done(await ensureApplication(clients.emrServerless ?? emrServerlessClient(config.aws), config, options.dryRun));
  } else {
    done(await ensureRole(clients.iam, serviceRoleSpec(t.serviceRole), options.dryRun));
    done(...await ensureInstanceProfile(clients.iam, t.instanceProfile, options.dryRun));
  }
  // The catalog stage and `emrflow query` (issue #14): after the buckets, which hold the results.
  if (clients.glue) done(await ensureGlueDatabase(clients.glue, config.catalog.database, options.dryRun));
  if (clients.athena) done(await ensureAthenaWorkgroup(clients.athena, config, options.dryRun));
  return { dryRun: options.dryRun, caller: caller.value, actions };
}
