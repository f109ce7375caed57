// `emrflow aws check` and `emrflow aws bootstrap`: from no AWS setup to a first EMR run. Both read
// the EMR settings from the config whatever [cluster] provider says, so they can be run before
// switching the provider to emr.
import type { Command } from 'commander';
import { athenaClient, ec2Client, emrClient, emrServerlessClient, glueClient, iamClient, s3Client, stsClient } from '../../../activities/aws-clients';
import { emrChecks, failedChecks, formatCheck, serverlessChecks, type AwsClients } from '../../../activities/preflight';
import { bootstrap, BootstrapRefused } from '../../aws/bootstrap';
import { catalogChecks, type CatalogClients } from '../../aws/catalog';
import { formatAction, type BootstrapAction } from '../../aws/bootstrap-types';
import { loadConfig, type EmrflowConfig } from '../../config';
import { action, say, type GlobalOptions } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';

const clientsFor = (config: EmrflowConfig): AwsClients & CatalogClients & { emrServerless: NonNullable<AwsClients['emrServerless']> } => ({
  s3: s3Client(config.aws), emr: emrClient(config.aws), iam: iamClient(config.aws), sts: stsClient(config.aws), ec2: ec2Client(config.aws),
  emrServerless: emrServerlessClient(config.aws),
  glue: glueClient(config.aws), athena: athenaClient(config.aws),
});

/** Like every command's config, but the provider's own rules are reported as checks, not refused. */
function awsConfig(program: Command): EmrflowConfig {
  const { config, warnings } = loadConfig({ path: program.opts<GlobalOptions>().config, providerChecks: false });
  if (!config.source.found) say(`no ${config.source.file} found; checking the defaults (see dl.cfg.example)`);
  for (const w of warnings) say(`warning: ${w}`);
  return config;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export function awsCommand(program: Command): void {
  const aws = program.command('aws').description('get onto AWS: check and create what EMR (or EMR Serverless) runs need')
    .addHelpText('after', '\nExample:\n  $ emrflow aws bootstrap --dry-run && emrflow aws check');

  aws.command('check')
    .description('check the credentials, buckets, EMR roles, instance profile, release label (emr-serverless: execution role, application), Glue database and Athena workgroup the config names; exit 1 if anything is missing')
    .option('--json', 'print JSON: { "ok", "checks": [{ "name", "ok", "detail", "fix"? }] }')
    .addHelpText('after', '\nExample:\n  $ emrflow aws check\n  ok   credentials  arn:aws:iam::123456789012:user/etl\n  FAIL bucket s3://my-bucket  does not exist (s3.code_uri) — fix: run `emrflow aws bootstrap`, …')
    .action(action(async (opts: { json?: boolean }) => {
      const config = awsConfig(program);
      const clients = clientsFor(config);
      const serverless = config.cluster.provider === 'emr-serverless';
      const checks = serverless ? await serverlessChecks(config, clients) : await emrChecks(config, clients);
      // Without working credentials nothing else can be looked up (emrChecks stops there too).
      if (checks.find((c) => c.name === 'credentials')?.ok) checks.push(...await catalogChecks(config, clients));
      const failed = failedChecks({ provider: config.cluster.provider, checks });
      if (opts.json) {
        print(JSON.stringify({ ok: failed.length === 0, checks }, null, 2));
      } else {
        for (const check of checks) print(formatCheck(check));
        print(failed.length === 0 ? `all ${checks.length} checks passed: ready for [cluster] provider = ${serverless ? 'emr-serverless' : 'emr'}`
          : `${failed.length} of ${checks.length} checks failed`);
      }
      return failed.length === 0 ? EXIT_OK : EXIT_FAILED;
    }));

  aws.command('bootstrap')
    .description('create the missing buckets (public access blocked, encrypted), the EMR service role and EC2 instance profile (emr-serverless: the execution role and the application), the Glue database and the Athena workgroup; what exists is left alone')
    .option('--dry-run', 'print what would be created and create nothing')
    .option('--json', 'print JSON: { "dryRun", "caller", "ok", "actions": [{ "kind", "name", "action", "detail" }] }')
    .addHelpText('after', '\nExamples:\n  $ emrflow aws bootstrap --dry-run\n  $ emrflow aws bootstrap && emrflow aws check')
    .action(action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const config = awsConfig(program);
      const clients = clientsFor(config);
      const onAction = opts.json ? undefined : (a: BootstrapAction) => print(formatAction(a));
      let result;
      try {
        result = await bootstrap(config, clients, { dryRun: Boolean(opts.dryRun), onAction });
      } catch (e) {
        if (!(e instanceof BootstrapRefused)) throw e;
        say(e.message);
        return EXIT_FAILED;
      }
      const count = (verb: BootstrapAction['action']) => result.actions.filter((a) => a.action === verb).length;
      const ok = count('failed') === 0;
      if (opts.json) {
        print(JSON.stringify({ dryRun: result.dryRun, caller: result.caller, ok, actions: result.actions }, null, 2));
      } else if (!ok) {
        print(`${count('failed')} could not be created; see the fix on each failed line`);
      } else if (result.dryRun) {
        const planned = count('would create') + count('would update');
        print(planned === 0 ? 'dry run: everything exists; nothing to do' : `dry run: ${planned} to create or update as ${result.caller}; nothing was changed`);
      } else {
        const changed = count('created') + count('updated');
        print(changed === 0 ? 'everything exists; nothing changed' : `created ${count('created')}, updated ${count('updated')}, ${count('exists')} already existed; next: emrflow aws check`);
      }
      return ok ? EXIT_OK : EXIT_FAILED;
    }));
}
