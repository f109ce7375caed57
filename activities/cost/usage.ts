// What a run consumed, as each provider can tell it: the input of the cost estimate (and of the
// budget check while a run waits). Each provider reports its own kind; activities/cost turns it
// into dollars with the prices in [cost].

export interface InstanceHours {
  instanceType: string;
  count: number;
  market: 'ON_DEMAND' | 'SPOT';
}

export type ResourceUsage =
  /** spark-submit on this machine: nothing is billed; wall time is reported for comparison. */
  | { kind: 'local'; wallSeconds: number }
  /** An EMR cluster: its instances for the seconds it has been (or was) running. */
  | { kind: 'emr'; instances: InstanceHours[]; runningSeconds: number }
  /** EMR Serverless job runs: AWS's billed (or, while running, total) resource utilization, summed. */
  | {
    kind: 'emr-serverless';
    vCPUHour: number;
    memoryGBHour: number;
    storageGBHour: number;
    totalExecutionDurationSeconds: number;
    jobRuns: number;
    /** true once every job run has ended and the figures are AWS's billed ones. */
    final: boolean;
  };
