// The JSON a webhook receives: Slack's `text` (what a person reads in the channel) next to the
// same facts as fields, for machines. Built on the worker, where the web UI's address is known.
import type { NotifyOutcome, NotifyRequest } from '../../workflows/shared';

/** How many of the stderr tail's last lines a message carries. */
export const STDERR_LINES = 15;

const HEADLINE: Record<NotifyOutcome, string> = {
  failure: ':x: failed',
  data_quality: ':warning: failed a data quality check',
  cluster_left_running: ':rotating_light: ended, but its cluster is still running (it costs money until terminated)',
  success: ':white_check_mark: succeeded',
  deadline_missed: ':alarm_clock: missed its deadline',
};

export interface NotifyBody {
  text: string;
  pipeline: string;
  runDate: string;
  outcome: NotifyOutcome;
  reason: string;
  workflowId: string;
  runId: string;
  link: string;
  stderrTail?: string;
  /** Same key on a retried delivery: receivers may dedupe on it. */
  key: string;
}

export function lastLines(text: string, n: number): string {
  return text.replace(/\s+$/, '').split('\n').slice(-n).join('\n');
}

/** Slack's mrkdwn treats &, < and > as control characters. */
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function notifyBody(r: NotifyRequest, link: string): NotifyBody {
  const tail = r.stderrTail ? lastLines(r.stderrTail, STDERR_LINES) : undefined;
  const text = [
    `*${escape(r.pipeline)}* ${r.runDate} ${HEADLINE[r.outcome]}`,
    escape(r.reason),
    `<${link}|Open the run in the Temporal web UI>`,
    ...(tail ? [`stderr (last lines):\n\`\`\`\n${tail.replace(/```/g, "'''")}\n\`\`\``] : []),
  ].join('\n');
  return {
    text, pipeline: r.pipeline, runDate: r.runDate, outcome: r.outcome, reason: r.reason,
    workflowId: r.workflowId, runId: r.runId, link, ...(tail && { stderrTail: tail }), key: r.key,
  };
}
