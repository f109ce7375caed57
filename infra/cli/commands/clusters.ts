import type { Command } from 'commander';
import { terminateEmrClusters } from '../../../workflows';
import { createProvider } from '../../../activities';
import { temporalClient } from '../../worker/connect';
import { deploymentId } from '../../config';
import { EXIT_FAILED, UsageError } from '../exit-codes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { sweepMetadata } from '../../../workflows/run-metadata';
import { runPlace } from '../../run-metadata';

/** "90m", "2h", "1d" → minutes. */
export function parseAge(value: string): number {
  const m = /^(\d+)\s*(m|h|d)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--older-than ${value}: expected a duration such as 90m, 2h or 1d`);
  return Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as 'm' | 'h' | 'd'];
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '-').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? '-'))))].join('\n');
}

export function clustersCommand(program: Command): void {
  const clusters = program.command('clusters').description('clusters emrflow manages (EMR or local), or its job runs (EMR Serverless)')
    .addHelpText('after', '\nExample:\n  $ emrflow clusters list');

  clusters.command('list')
    .description('the clusters (emr-serverless: job runs) emrflow manages (tag emrflow:managed=true) that are still running; all states with --all')
    .option('--all', 'include terminated managed clusters (clusters emrflow does not manage are never listed)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ emrflow clusters list --all')
    .action(action(async (opts: { all?: boolean; json?: boolean }) => {
      const config = configFrom(program.opts<GlobalOptions>());
      const provider = createProvider(config);
      const found = await provider.listClusters({ all: opts.all });
      if (opts.json) return void process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      // emr-serverless has no clusters: each row is one run's job runs on the shared application.
      const what = provider.kind === 'emr-serverless' ? 'job runs' : 'clusters';
      if (found.length === 0) return say(opts.all ? `no ${what}` : `no running managed ${what} (add --all for the rest)`);
      if (provider.kind === 'emr-serverless') say('job runs, one row per run (CLUSTERID is <application>/<run id>/<created>; the application itself is shared and stops itself when idle)');
      const whose = (c: (typeof found)[number]) =>
        c.unreadable ? `unreadable: ${c.unreadable}` : c.ownDeployment ? 'this deployment' : `another deployment's (${c.deployment ?? 'untagged'})`;
      say(`this deployment: ${deploymentId(config.temporal)}`);
      process.stdout.write(`${table(found.map((c) => ({ ...c, age: `${Math.round(c.ageMinutes)}m`, owner: c.ownerWorkflowId, deployment: whose(c) })), ['clusterId', 'name', 'state', 'age', 'owner', 'deployment'])}\n`);
    }));

  clusters.command('sweep')
    .description('run the sweeper workflow: terminate clusters (emr-serverless: cancel job runs) whose run is over (or older than --older-than)')
    .option('--dry-run', 'only report what would be terminated')
    .option('--older-than <age>', 'with --include-running: also terminate clusters older than this (90m, 2h, 1d) whose run is still running')
    .option('--include-running', 'let --older-than terminate clusters whose owning run is still running')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nOnly this deployment\'s clusters are touched; the RULE column says why each is kept or terminated.\nExample:\n  $ emrflow clusters sweep --dry-run --older-than 2h --include-running')
    .action(action(async (opts: { dryRun?: boolean; olderThan?: string; includeRunning?: boolean; json?: boolean }) => {
      const olderThanMinutes = opts.olderThan === undefined ? undefined : parseAge(opts.olderThan);
      if (opts.includeRunning && olderThanMinutes === undefined) throw new UsageError('--include-running needs --older-than <age>');
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      const result = await client.workflow.execute(terminateEmrClusters, {
        taskQueue: config.temporal.task_queue,
        workflowId: `sweep-stray-clusters-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        args: [{
          dryRun: Boolean(opts.dryRun),
          ...(olderThanMinutes !== undefined && { olderThanMinutes }),
          ...(opts.includeRunning && { includeRunning: true }),
        }],
        ...sweepMetadata(`\`emrflow clusters sweep\`${opts.dryRun ? ' --dry-run' : ''}`, runPlace(config)),
      });
      // A cluster the sweep could not terminate is its own row; the command then fails.
      const failed = result.clusters.filter((c) => c.action === 'failed').length;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return failed > 0 ? EXIT_FAILED : undefined;
      }
      if (result.clusters.length === 0) return say('no managed clusters found');
      process.stdout.write(`${table(result.clusters as unknown as Record<string, unknown>[], ['clusterId', 'name', 'ageMinutes', 'owner', 'ownerStatus', 'rule', 'action', 'reason'])}\n`);
      if (failed > 0) {
        say(`${failed} cluster(s) could not be terminated (see REASON); the others were handled`);
        return EXIT_FAILED;
      }
    }));
}
