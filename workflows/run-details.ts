// The run's current details: Markdown the web UI shows on the run's page while it runs and once
// it ended (Temporal's setCurrentDetails). Pure: the workflow passes its own clock reading, so the
// same history renders the same text on replay.
import type { RunCost } from '../activities/cost/run-cost';
import type { PipelineStatus, TaskStatus } from './pipeline-types';
import { cell } from './run-metadata';
import type { PipelineSettings, RunReport } from './shared';

export interface RunDetailsView {
  status: PipelineStatus;
  settings?: PipelineSettings;
  /** Workflow time, ISO: running tasks' durations count up to it. */
  now: string;
  outcome: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** Reports of the spark tasks that wrote one, by task id. */
  reports: Record<string, RunReport>;
  billedSeconds?: number | null;
  cost?: RunCost;
  failure?: { message: string; stderrTail?: string };
}

/** "2 m 05 s", "48 s", "1 h 03 m". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

const S3 = /^s3:\/\/([^/]+)\/?(.*)$/;
const join = (...parts: string[]) => parts.map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, ''))).filter(Boolean).join('/');

/** The EMR console's page of a cluster. */
export const emrClusterUrl = (region: string, clusterId: string): string =>
  `https://${region}.console.aws.amazon.com/emr/home?region=${region}#/clusterDetails/${clusterId}`;

/** The S3 console's listing of an s3:// prefix (a step's logs). */
export function s3ConsoleUrl(uri: string, region: string): string | undefined {
  const m = S3.exec(uri);
  if (!m) return undefined;
  const prefix = m[2] ? `${m[2].replace(/\/+$/, '')}/` : '';
  return `https://s3.console.aws.amazon.com/s3/buckets/${m[1]}?region=${region}&prefix=${encodeURIComponent(prefix)}`;
}

const fileUrl = (path: string): string => `file://${encodeURI(path)}`;
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

interface Links { cluster?: string; clusterText: string; logs?: string; logsText?: string; sparkUi?: string; step: (stepId: string) => string }

/** Where the cluster, its logs and its Spark UI are, per provider. */
function linksOf(v: RunDetailsView, clusterId: string): Links {
  const s = v.settings;
  if (s?.provider === 'emr' && s.region) {
    const region = s.region;
    const logs = s.logUri ? join(s.logUri, clusterId) : undefined;
    return {
      cluster: emrClusterUrl(region, clusterId), clusterText: clusterId,
      logs: logs && s3ConsoleUrl(`${logs}/`, region), logsText: logs && `${logs}/`,
      // EMR's persistent Spark History Server opens from the cluster's Applications tab.
      sparkUi: emrClusterUrl(region, clusterId),
      step: (stepId) => {
        const url = logs && s3ConsoleUrl(`${join(logs, 'steps', stepId)}/`, region);
        return url ? `[${stepId}](${url})` : code(stepId);
      },
    };
  }
  if (s?.provider === 'emr-serverless' && s.region) {
    // The run's "cluster" is a handle <application>/<run>/<created>; its job runs log under
    // <log uri>/applications/<application>/jobs/<job run>/ (S3 monitoring).
    const region = s.region;
    const app = clusterId.split('/')[0]!;
    const logs = s.logUri ? join(s.logUri, 'applications', app, 'jobs') : undefined;
    return {
      clusterText: `application ${app}`,
      logs: logs && s3ConsoleUrl(`${logs}/`, region), logsText: logs && `${logs}/`,
      step: (jobRunId) => {
        const url = logs && s3ConsoleUrl(`${join(logs, jobRunId)}/`, region);
        return url ? `[${jobRunId}](${url})` : code(jobRunId);
      },
    };
  }
  if (s?.provider === 'local' && s.stateDir) {
    const dir = join(s.stateDir, 'clusters', clusterId);
    return {
      cluster: fileUrl(dir), clusterText: dir, logs: fileUrl(join(dir, 'steps')), logsText: `${join(dir, 'steps')}/ (stdout.log, stderr.log per step)`,
      step: (stepId) => `[${stepId}](${fileUrl(join(dir, 'steps', stepId))})`,
    };
  }
  return { clusterText: clusterId, step: code };
}

function taskDuration(t: TaskStatus, now: string): string {
  if (!t.startedAt) return '';
  const end = t.endedAt ?? (t.state === 'running' ? now : undefined);
  return end ? duration((Date.parse(end) - Date.parse(t.startedAt)) / 1000) : '';
}

// Words, not emoji: a browser without an emoji font (a server's headless Chromium) shows boxes.
const STATE_MARK: Record<TaskStatus['state'], string> = {
  waiting: 'waiting', running: '**running**', succeeded: 'succeeded', failed: '**FAILED**', skipped: 'skipped', cancelled: 'cancelled',
};

function taskTable(v: RunDetailsView, links: Links | undefined): string[] {
  const rows = v.status.tasks.map((t) => {
    // The run's own failure is given in full above the table; the row points there.
    const reason = t.reason && v.failure && v.failure.message.startsWith(t.reason) ? 'the reason above' : t.reason;
    const what = [t.waitingFor && `waits for ${code(t.waitingFor)}`, reason && t.state !== 'succeeded' && cell(reason)].filter(Boolean).join('; ');
    const step = t.stepId ? `${links ? links.step(t.stepId) : code(t.stepId)}${t.stepState ? ` ${t.stepState}` : ''}${t.attempts > 1 ? ` (attempt ${t.attempts})` : ''}` : '';
    return `| ${t.id} | ${t.kind} | ${STATE_MARK[t.state]} | ${taskDuration(t, v.now)} | ${step} | ${what} |`;
  });
  return ['| Task | Kind | State | Duration | Step (logs) | Notes |', '|---|---|---|---|---|---|', ...rows];
}

function heading(v: RunDetailsView): string {
  const what = `${v.status.pipeline}${v.status.runDate ? ` for ${v.status.runDate}` : ''}${v.status.mode ? ` (${v.status.mode})` : ''}`;
  switch (v.outcome) {
    case 'running': return `### Running: ${what}, stage ${v.status.stage}${v.status.lake ? ` (${v.status.lake})` : ''}`;
    case 'succeeded': return `### Succeeded: ${what}`;
    case 'failed': return `### Failed: ${what}`;
    case 'cancelled': return `### Cancelled: ${what}`;
  }
}

/** What the run's cluster was up for and, once known, what that cost: both, as a person checking a bill wants. */
function costLines(v: RunDetailsView): string[] {
  return [
    ...(v.billedSeconds != null ? [`**Billed time** (cluster created → terminated): ${duration(v.billedSeconds)}`] : []),
    ...(v.cost ? [`**Estimated cost**: $${v.cost.estimatedUsd.toFixed(2)} (${cell(v.cost.basis)}; prices from ${v.cost.pricesFrom})`] : []),
  ];
}

function reportLines(reports: Record<string, RunReport>): string[] {
  const out: string[] = [];
  for (const [task, r] of Object.entries(reports)) {
    out.push('', `**Rows per table** (task ${task})`, '', '| Table | Rows |', '|---|---:|',
      ...Object.entries(r.rows).map(([table, n]) => `| ${table} | ${n} |`));
    const reasons = Object.entries(r.rejected.by_reason).filter(([, n]) => n > 0).map(([why, n]) => `${why}: ${n}`);
    out.push('', `**Rejected records**: ${r.rejected.total}${reasons.length ? ` (${cell(reasons.join(', '))})` : ''}`);
  }
  return out;
}

/** The stderr tail as a fenced block that its own backticks cannot close. */
function fenced(text: string): string[] {
  const fence = text.includes('```') ? '~~~~' : '```';
  return [fence, text.trimEnd(), fence];
}

export function renderRunDetails(v: RunDetailsView): string {
  const clusterId = v.status.clusterId;
  const links = clusterId ? linksOf(v, clusterId) : undefined;
  const lines = [heading(v), ''];
  if (v.failure) {
    lines.push(`**Reason**: ${cell(v.failure.message)}`, '');
    if (v.failure.stderrTail) lines.push('**Driver stderr (tail)**', '', ...fenced(v.failure.stderrTail), '');
  }
  lines.push(...taskTable(v, links), '');
  if (links && clusterId) {
    lines.push(`**Cluster**: ${links.cluster ? `[${links.clusterText}](${links.cluster})` : code(links.clusterText)}`);
    if (links.logsText) lines.push('', `**Logs**: ${links.logs ? `[${links.logsText}](${links.logs})` : code(links.logsText)}`);
    lines.push('', links.sparkUi
      ? `**Spark UI**: [Spark History Server](${links.sparkUi}) (the cluster's Applications tab)`
      : '**Spark UI**: none kept (local spark-submit; it serves one on port 4040 only while a step runs)');
  } else {
    lines.push('**Cluster**: none yet');
  }
  lines.push(...reportLines(v.reports));
  // One paragraph each (Markdown joins adjacent lines).
  for (const line of costLines(v)) lines.push('', line);
  return lines.join('\n');
}

/** The failure's reason (without the tail the message may carry) and the stderr tail. */
export function failureView(message: string, details: unknown): { message: string; stderrTail?: string } {
  const marker = '\n--- driver stderr (tail) ---\n';
  const at = message.indexOf(marker);
  const detail = Array.isArray(details) ? details[0] as { stderrTail?: unknown } | undefined : undefined;
  const tail = typeof detail?.stderrTail === 'string' ? detail.stderrTail : at >= 0 ? message.slice(at + marker.length) : undefined;
  return { message: (at >= 0 ? message.slice(0, at) : message).split('\n')[0]!, ...(tail && { stderrTail: tail }) };
}
