// What the web UI shows of a run before it has done anything: Temporal's static user metadata,
// a one-line summary for the workflow list and Markdown details for the run's page. One builder
// for every place a run starts (CLI run/rerun/start, the schedules, a dependant started by its
// parent), so they all read the same. Pure, no Node built-ins: the workflow uses it too.
import type { PlannedTask } from './pipeline-plan';
import type { EtlMode } from './shared';

/** Where runs execute, read and write: from dl.cfg on the client, from pipelineSettings in a workflow. */
export interface RunPlace {
  provider: string;
  /** "1 × m5.xlarge + 2 × m5.xlarge, emr-7.13.0" (emr) or "spark-submit, local[2]" (local). */
  cluster?: string;
  region?: string;
  inputUri?: string;
  outputUri: string;
}

export interface RunMetadataRequest {
  pipeline: string;
  description?: string;
  tasks?: PlannedTask[];
  /** Absent for a schedule's runs: each processes the day before its scheduled time. */
  runDate?: string;
  mode: EtlMode;
  place: RunPlace;
  /** Who started it, for the details: "`emrflow run`", "the schedule songs-etl-daily". */
  startedBy: string;
}

export interface RunMetadata {
  staticSummary: string;
  staticDetails: string;
}

/** The shape of an EMR cluster as [emr] declares it, in one line. */
export function emrClusterShape(emr: {
  release_label: string; master_instance_type: string; core_instance_type: string; core_instance_count: number; core_market?: string;
}): string {
  const spot = emr.core_market === 'SPOT' ? ' spot' : '';
  return `1 × ${emr.master_instance_type} + ${emr.core_instance_count} × ${emr.core_instance_type}${spot}, ${emr.release_label}`;
}

const MODE_TEXT: Record<EtlMode, string> = { daily: 'daily (one day, incremental)', full: 'full (rebuild from all input)' };

/** One task as a Markdown list item: what it does in a few words. */
function taskLine(t: PlannedTask): string {
  const after = t.dependsOn.length ? ` (after ${t.dependsOn.join(', ')})` : '';
  switch (t.kind) {
    case 'spark': return `- \`${t.id}\`: Spark \`${t.script}\`${t.retries ? `, up to ${t.retries} retries` : ''}${after}`;
    case 'waitForInput': return `- \`${t.id}\`: waits for its input${after}`;
    case 'check': return `- \`${t.id}\`: check: ${t.description}${after}`;
    case 'publish': return `- \`${t.id}\`: publishes the staged tables${after}`;
    case 'catalog': return `- \`${t.id}\`: registers ${t.tables.join(', ')} in the catalog${after}`;
  }
}

/** Escapes what would break a Markdown table cell. */
export const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function runMetadata(r: RunMetadataRequest): RunMetadata {
  const date = r.runDate ?? 'scheduled date';
  const staticSummary = `${r.pipeline} · ${date} · ${r.mode} · ${r.place.provider}`;
  const provider = r.place.provider !== 'local'
    ? `${r.place.provider === 'emr' ? 'EMR' : 'EMR Serverless'}${r.place.region ? ` in ${r.place.region}` : ''}${r.place.cluster ? `: ${r.place.cluster}` : ''}`
    : `${r.place.provider}${r.place.cluster ? `: ${r.place.cluster}` : ''}`;
  const rows: [string, string][] = [
    ['Run date', r.runDate ?? 'the day before the scheduled time'],
    ['Mode', MODE_TEXT[r.mode]],
    ['Runs on', provider],
    ...(r.place.inputUri ? [['Reads', `\`${r.place.inputUri}\``] as [string, string]] : []),
    ['Writes', `\`${r.place.outputUri}\``],
    ['Started by', r.startedBy],
  ];
  const lines = [
    `**${r.pipeline}**${r.description ? `: ${r.description}` : ''}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
  ];
  if (r.tasks?.length) lines.push('', '**Tasks**', '', ...r.tasks.map(taskLine));
  lines.push('', 'Progress, links to the cluster and its logs, and the result: **Current Details** below.');
  return { staticSummary, staticDetails: lines.join('\n') };
}

/** The hourly sweeper's metadata. */
export function sweepMetadata(startedBy: string, place: Pick<RunPlace, 'provider' | 'region'>): RunMetadata {
  return {
    staticSummary: `sweep stray clusters · ${place.provider}`,
    staticDetails: [
      `**Sweeper**: terminates this deployment's ${place.provider === 'emr' ? `EMR clusters${place.region ? ` in ${place.region}` : ''}` : place.provider === 'emr-serverless' ? 'EMR Serverless job runs' : 'local clusters'}`
        + ' whose owning run is over, so no cluster keeps costing money after its run.',
      '',
      `Started by ${startedBy}. What it saw and did: **Current Details** below.`,
    ].join('\n'),
  };
}
