// The sweeper's result as the web UI shows it (current details): one row per cluster it saw,
// with what it did and why. Pure, unit-tested.
import { cell } from './run-metadata';
import type { TerminateEmrClustersResult } from './shared';

const ACTION_MARK: Record<string, string> = {
  terminated: '**terminated**', 'would-terminate': '**would terminate** (dry run)', 'already-gone': 'already gone',
  protected: '**protected**: still running', failed: '**FAILED**', kept: 'kept',
};

export function renderSweepDetails(result: TerminateEmrClustersResult): string {
  const acted = result.clusters.filter((c) => c.action !== 'kept').length;
  const lines = [
    `### Sweep${result.dryRun ? ' (dry run)' : ''}: ${result.clusters.length} cluster${result.clusters.length === 1 ? '' : 's'} seen, ${acted} acted on`,
    '',
  ];
  if (result.clusters.length === 0) return [...lines, 'No clusters found.'].join('\n');
  lines.push('| Cluster | Name | Age | Owning run | Run status | Action | Why |', '|---|---|---:|---|---|---|---|');
  for (const c of result.clusters) {
    lines.push(`| \`${c.clusterId}\` | ${cell(c.name)} | ${Math.round(c.ageMinutes)} min | ${c.owner ? `\`${c.owner}\`` : '-'} | ${c.ownerStatus} | ${ACTION_MARK[c.action] ?? c.action} | ${cell(c.reason)} |`);
  }
  return lines.join('\n');
}
