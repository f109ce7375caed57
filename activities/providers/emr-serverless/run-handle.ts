// What a run's "cluster" is on EMR Serverless. The application is shared by every run (and by
// people), so the run's handle names the application, the run, and when the run first asked for
// it: terminating the handle cancels that run's live job runs and never stops the application;
// the time bounds the job-run listings (ListJobRuns createdAtAfter) on a busy application.
export interface RunHandle {
  applicationId: string;
  runId: string;
  /** When the handle was made (whole seconds since the epoch). */
  createdAtSeconds: number;
}

export const formatHandle = (h: RunHandle): string => `${h.applicationId}/${h.runId}/${h.createdAtSeconds}`;

export function parseHandle(clusterId: string): RunHandle {
  const m = /^([0-9a-z]+)\/([^/]+)\/(\d+)$/.exec(clusterId);
  if (!m) throw new Error(`"${clusterId}" is not an emr-serverless run handle (<application id>/<run id>/<created at>); was the run started with another [cluster] provider?`);
  return { applicationId: m[1]!, runId: m[2]!, createdAtSeconds: Number(m[3]) };
}

/** Listings look a little before the handle was made (clocks differ) for the run's job runs. */
export const listFrom = (h: RunHandle): Date => new Date((h.createdAtSeconds - 300) * 1000);
