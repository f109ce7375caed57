// A moto server (AWS API emulator) for one test file, plus its control endpoint that moves EMR
// steps and clusters between states (moto never runs a step by itself; see moto_server.py).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { venvBin } from '../../infra/paths';
import { freePort } from './free-port';

export interface Moto {
  endpoint: string;
  setStepState(clusterId: string, stepId: string, state: string, reason?: string): Promise<void>;
  setClusterState(clusterId: string, state: string, reason?: string): Promise<void>;
  /** From now on clusters take provisionSeconds to start and run each step for stepSeconds (emr_lifecycle.py). */
  simulateLifecycle(provisionSeconds: number, stepSeconds: number): Promise<void>;
  /** Makes coming EMR calls fail (moto_faults.py); replaces earlier rules. */
  injectFaults(rules: FaultRule[]): Promise<void>;
  /** EMR and S3 calls seen and errors injected, per action (S3 ones as "S3.<Operation>"), since the server started. */
  faultReport(): Promise<{ calls: Record<string, number>; injected: Record<string, number> }>;
  /** Rows the next Athena queries return, in order (moto's /moto-api/static/athena/query-results; the first row of a SELECT is its header, as on Athena). */
  athenaResults(results: { rows: (string | null)[][]; columns: { name: string; type: string }[] }[]): Promise<void>;
  /** How the next Athena queries end, in order (moto_athena.py): failed with a reason, or running until stopped. */
  athenaOutcomes(outcomes: ({ state: 'FAILED'; reason: string } | { state: 'RUNNING' })[]): Promise<void>;
  /** EMR Serverless (moto_serverless.py): the state new job runs start in, and the state StartApplication leaves. */
  serverlessHold(hold: { jobRuns?: string; applicationStarts?: string }): Promise<void>;
  /** Moves a job run; ended states stamp endedAt, utilization is billed once ended. */
  setJobRun(jobRunId: string, state: string, extra?: { stateDetails?: string; utilization?: { vCPUHour: number; memoryGBHour: number; storageGBHour: number }; durationSeconds?: number }): Promise<void>;
  setApplicationState(applicationId: string, state: string): Promise<void>;
  /** Every EMR Serverless job run moto holds, oldest first. */
  jobRuns(): Promise<MotoJobRun[]>;
  stop(): Promise<void>;
}

export interface MotoJobRun {
  id: string; applicationId: string; name: string; state: string; entryPoint: string; args: string[];
  sparkSubmitParameters: string | null; logUri: string | null; tags: Record<string, string>; clientToken: string; executionRole: string; createdAt: string;
}

/**
 * The next `times` calls of `action` fail with `error`: an EMR action ("*" for each EMR action
 * separately) or an S3 operation as "S3.PutObject" ("S3.*" for each separately). See moto_faults.py.
 */
export interface FaultRule { action: string; times: number; error: 'throttle' | '500' | 'lost' }

/**
 * The EMR provider's settings (as EMRFLOW_* overrides) pointed at moto, with buckets
 * emrflow-code, emrflow-logs and emrflow-lake, which the test creates.
 */
export function emrSettings(endpoint: string): Record<string, string> {
  return {
    EMRFLOW_CLUSTER_PROVIDER: 'emr',
    EMRFLOW_AWS_ENDPOINT_URL: endpoint,
    EMRFLOW_AWS_ACCESS_KEY_ID: 'testing',
    EMRFLOW_AWS_SECRET_ACCESS_KEY: 'testing',
    EMRFLOW_S3_CODE_URI: 's3://emrflow-code/code',
    EMRFLOW_S3_LOG_URI: 's3://emrflow-logs/logs',
    EMRFLOW_DATALAKE_INPUT_DATA: 's3://emrflow-lake/in',
    EMRFLOW_DATALAKE_OUTPUT_DATA: 's3://emrflow-lake/out',
  };
}

/** The emr-serverless provider's settings pointed at moto (the same buckets as emrSettings; the role `aws bootstrap` creates). */
export function serverlessSettings(endpoint: string): Record<string, string> {
  return {
    ...emrSettings(endpoint),
    EMRFLOW_CLUSTER_PROVIDER: 'emr-serverless',
    EMRFLOW_EMR_SERVERLESS_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/emrflow-serverless-job',
    EMRFLOW_EMR_SERVERLESS_JOB_POLL_SECONDS: '1',
  };
}

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const [port, control] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(venvBin('python'), [join(import.meta.dirname, 'moto_server.py'), String(port), String(control)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`moto exited with ${code}: ${stderr}`)); });
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${control}${path}`, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`moto control ${path}: ${res.status} ${await res.text()}`);
    return res.status === 200 ? await res.json() as unknown : undefined;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setStepState: async (clusterId, stepId, state, reason) => { await post('/emr/step', { clusterId, stepId, state, reason }); },
    setClusterState: async (clusterId, state, reason) => { await post('/emr/cluster', { clusterId, state, reason }); },
    simulateLifecycle: async (provisionSeconds, stepSeconds) => { await post('/emr/lifecycle', { provisionSeconds, stepSeconds }); },
    injectFaults: async (rules) => { await post('/faults', { rules }); },
    faultReport: async () => await post('/faults/report', {}) as Awaited<ReturnType<Moto['faultReport']>>,
    athenaResults: async (results) => {
      const body = {
        region: 'us-west-2',
        results: results.map((r) => ({
          rows: r.rows.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          column_info: r.columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })),
        })),
      };
      const res = await fetch(`http://127.0.0.1:${port}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      if (res.status !== 201) throw new Error(`moto athena results: ${res.status} ${await res.text()}`);
    },
    athenaOutcomes: async (outcomes) => { await post('/athena/next', { outcomes }); },
    serverlessHold: async (hold) => { await post('/serverless/hold', hold); },
    setJobRun: async (jobRunId, state, extra = {}) => { await post('/serverless/job-run', { jobRunId, state, ...extra }); },
    setApplicationState: async (applicationId, state) => { await post('/serverless/application', { applicationId, state }); },
    jobRuns: async () => await post('/serverless/job-runs', {}) as MotoJobRun[],
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
