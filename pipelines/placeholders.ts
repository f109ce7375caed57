// Fills `{name}` placeholders in a task's arguments and a sensor's path with the run's values.
// Pure: the worker fills them for real, and the workflow for what its status shows.
import type { RunPlaceholder } from './define';

export type RunValues = Record<RunPlaceholder, string>;

export function runValues(v: { runDate: string; mode: string; input: string; output: string; runId: string }): RunValues {
  return {
    runDate: v.runDate, runYear: v.runDate.slice(0, 4), runMonth: v.runDate.slice(5, 7), runDay: v.runDate.slice(8, 10),
    mode: v.mode, input: v.input.replace(/\/+$/, ''), output: v.output.replace(/\/+$/, ''), runId: v.runId,
  };
}

/** Validation (infra/pipelines/validate.ts) has checked every name; an unknown one here is a bug. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown placeholder ${whole} in "${template}"`);
    return value;
  });
}
