// The emr-serverless provider's preflight (and `aws check` for it): credentials, the buckets,
// the execution role job runs assume (and that it trusts EMR Serverless), the application (the
// configured one must exist and run Spark) and, when emrflow is to create the application, the
// release label. Every failed check names the setting and carries a one-line fix.
import type { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightCheck } from '../../workflows/shared';
import { getApplication } from '../providers/emr-serverless/application';
import { isTransient, awsProblem } from './aws-problem';
import { BOOTSTRAP_FIX, emrChecksParts, type AwsClients } from './emr-checks';
import { emrTargets, type EmrTargets } from './emr-targets';
import { probeRole } from './probes';
import { releaseLabelCheck } from './release-label-check';
import { transientFailure } from './result';

export const SERVERLESS_TRUST = 'emr-serverless.amazonaws.com';

/** The role name of an IAM role ARN (the part after the last /). */
export const roleNameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** The buckets and settings emr-serverless needs: like emr's, with [emr_serverless] log_uri in place of [s3] log_uri when set. */
export function serverlessTargets(config: EmrflowConfig): EmrTargets {
  const logUri = config.emr_serverless.log_uri ?? config.s3.log_uri;
  const t = emrTargets({ ...config, s3: { ...config.s3, log_uri: logUri } });
  const problems = t.configProblems.map((p) => (p.name === 'config s3.log_uri'
    ? { ...p, detail: 'is not set, nor [emr_serverless] log_uri (where job runs write their logs)', fix: 'set [emr_serverless] log_uri (or [s3] log_uri) in dl.cfg, e.g. s3://my-bucket/emrflow/logs' }
    : p));
  if (!config.emr_serverless.execution_role_arn) {
    problems.push({
      name: 'config emr_serverless.execution_role_arn', ok: false, detail: 'is not set (the role job runs assume)',
      fix: 'set [emr_serverless] execution_role_arn in dl.cfg, e.g. arn:aws:iam::123456789012:role/emrflow-serverless-job, then `emrflow aws bootstrap` creates it',
    });
  }
  return { ...t, releaseLabel: config.emr_serverless.release_label, configProblems: problems };
}

export async function serverlessChecks(config: EmrflowConfig, clients: AwsClients & { emrServerless: EMRServerlessClient }): Promise<PreflightCheck[]> {
  const t = serverlessTargets(config);
  const common = await emrChecksParts(t, clients);
  if (!common.caller) return common.checks;
  const s = config.emr_serverless;
  const rest = await Promise.all([
    ...(s.execution_role_arn ? [executionRoleCheck(clients.iam, s.execution_role_arn, t.region)] : []),
    applicationCheck(clients.emrServerless, config, t.region),
    ...(s.application_id ? [] : [releaseLabelCheck(clients.emr, s.release_label, t.region, 'emr_serverless')]),
  ]);
  return [...common.checks, ...rest];
}

async function executionRoleCheck(iam: IAMClient, arn: string, region: string): Promise<PreflightCheck> {
  const roleName = roleNameOf(arn);
  const name = `execution role ${roleName}`;
  const role = await probeRole(iam, roleName);
  if (role.found) {
    if (!role.value.trustPolicy || role.value.trustPolicy.includes(SERVERLESS_TRUST)) return { name, ok: true, detail: `${role.value.arn} (trusts ${SERVERLESS_TRUST})` };
    return {
      name, ok: false, detail: `${role.value.arn} does not trust ${SERVERLESS_TRUST}, so job runs cannot assume it ([emr_serverless] execution_role_arn)`,
      fix: `add ${SERVERLESS_TRUST} to the role's trust policy, or point [emr_serverless] execution_role_arn at a role that has it`,
    };
  }
  if (role.problem.kind === 'missing')
    return { name, ok: false, detail: `does not exist ([emr_serverless] execution_role_arn = ${arn})`, fix: `${BOOTSTRAP_FIX} (it creates the role), or fix [emr_serverless] execution_role_arn` };
  if (role.problem.kind === 'forbidden') return { name, ok: true, detail: `could not verify: not allowed to iam:GetRole (${role.problem.message})` };
  if (isTransient(role.problem.kind)) return transientFailure({ name, ok: false, detail: `AWS did not answer: ${role.problem.message}`, fix: `check the network and [aws] region (${region}) / endpoint_url` });
  return { name, ok: false, detail: role.problem.message, fix: BOOTSTRAP_FIX };
}

async function applicationCheck(client: EMRServerlessClient, config: EmrflowConfig, region: string): Promise<PreflightCheck> {
  const s = config.emr_serverless;
  const id = s.application_id;
  const name = id ? `application ${id}` : `application ${s.application_name}`;
  try {
    if (!id) return { name, ok: true, detail: `emrflow creates or reuses its own application (${s.release_label}, ${s.architecture}, auto-stop after ${s.auto_stop_idle_minutes} min)` };
    const app = await getApplication(client, id);
    if (!app) {
      return {
        name, ok: false, detail: `does not exist in ${region} ([emr_serverless] application_id)`,
        fix: 'set [emr_serverless] application_id to one `aws emr-serverless list-applications` shows, or unset it to let emrflow create one',
      };
    }
    if (app.state === 'TERMINATED')
      return { name, ok: false, detail: 'is terminated ([emr_serverless] application_id)', fix: 'unset [emr_serverless] application_id to let emrflow create one, or name a live application' };
    if ((app.type ?? '').toUpperCase() !== 'SPARK')
      return { name, ok: false, detail: `is a ${app.type} application, not Spark ([emr_serverless] application_id)`, fix: 'name a Spark application in [emr_serverless] application_id' };
    return { name, ok: true, detail: `${app.name ?? id}: Spark ${app.releaseLabel}, ${app.state}` };
  } catch (e) {
    const problem = awsProblem(e);
    if (isTransient(problem.kind)) return transientFailure({ name, ok: false, detail: `EMR Serverless did not answer: ${problem.message}`, fix: `check the network and [aws] region (${region}) / endpoint_url` });
    return { name, ok: false, detail: problem.message, fix: 'grant emr-serverless:GetApplication (see infra/aws/worker-policy.json)' };
  }
}
