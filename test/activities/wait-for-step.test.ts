// waitForStep against a scripted provider in MockActivityEnvironment: the outcome a workflow
// sees, the heartbeats the web UI shows, and what cancellation does to the step.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { ClusterProvider, ClusterStatus, StepStatus } from '../../activities/providers/cluster-provider';
import { waitForStep, type WaitProgress } from '../../activities/wait-for-step';
import type { StepState } from '../../workflows/shared';

interface Script {
  steps: (StepState | Partial<StepStatus>)[];
  clusterEnded?: (poll: number) => boolean;
}

function scriptedProvider(script: Script) {
  let polls = 0;
  const cancelled: string[] = [];
  const provider = {
    kind: 'local',
    pollSeconds: 0.01,
    async describeStep(_clusterId: string, stepId: string): Promise<StepStatus> {
      const next = script.steps[Math.min(polls, script.steps.length - 1)]!;
      polls += 1;
      const s = typeof next === 'string' ? { state: next } : next;
      return { stepId, name: 'songs-etl:wf', state: 'RUNNING', ...s };
    },
    async describeCluster(clusterId: string): Promise<ClusterStatus> {
      const ended = script.clusterEnded?.(polls) ?? false;
      return ended
        ? { clusterId, state: 'TERMINATED_WITH_ERRORS', ended, reason: 'The master node was lost' }
        : { clusterId, state: 'RUNNING', ended };
    },
    async cancelStep(_clusterId: string, stepId: string) { cancelled.push(stepId); },
    async stepLogs() { return { found: true, stderrTail: 'Traceback...\nRuntimeError: boom' }; },
  } as unknown as ClusterProvider;
  return { provider, cancelled, polls: () => polls };
}

const STEP = { clusterId: 'j-1', stepId: 's-1' };
const quiet = { logger: new DefaultLogger('ERROR') };
const mockEnv = (info = {}) => new MockActivityEnvironment(info, quiet);

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

describe('waitForStep', () => {
  it('returns the outcome of a completed step and heartbeats each poll', async () => {
    const { provider } = scriptedProvider({ steps: ['PENDING', 'RUNNING', { state: 'COMPLETED', endedAt: 'T' }] });
    const env = mockEnv();
    const beats: WaitProgress[] = [];
    env.on('heartbeat', (d: WaitProgress) => beats.push(d));
    const outcome = await env.run(waitForStep, provider, STEP);
    expect(outcome).toEqual({ stepId: 's-1', state: 'COMPLETED', startedAt: undefined, endedAt: 'T' });
    expect(beats.map((b) => b.state)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    expect(beats[0]).toMatchObject({ clusterId: 'j-1', stepId: 's-1' });
  });

  it('resumes the elapsed time from the last heartbeat after a worker restart', async () => {
    const { provider } = scriptedProvider({ steps: ['COMPLETED'] });
    const env = mockEnv({ heartbeatDetails: { ...STEP, state: 'RUNNING', elapsedSeconds: 600 } });
    const beats: WaitProgress[] = [];
    env.on('heartbeat', (d: WaitProgress) => beats.push(d));
    await env.run(waitForStep, provider, STEP);
    expect(beats[0]!.elapsedSeconds).toBeGreaterThanOrEqual(600);
  });

  it('a failed step fails non-retryably with the reason and the stderr tail', async () => {
    const { provider } = scriptedProvider({ steps: ['RUNNING', { state: 'FAILED', reason: 'exit code 1' }] });
    const f = await failureOf(mockEnv().run(waitForStep, provider, STEP));
    expect(f).toMatchObject({ type: 'SparkStepFailed', nonRetryable: true });
    expect(f.details?.[0]).toEqual({ clusterId: 'j-1', stepId: 's-1', reason: 'exit code 1', stderrTail: 'Traceback...\nRuntimeError: boom' });
    expect(f.message).toContain('RuntimeError: boom');
  });

  it('a step cancelled from outside fails with StepCancelled', async () => {
    const { provider } = scriptedProvider({ steps: [{ state: 'CANCELLED', reason: 'cancelled by request' }] });
    expect(await failureOf(mockEnv().run(waitForStep, provider, STEP)))
      .toMatchObject({ type: 'StepCancelled', nonRetryable: true });
  });

  it('a cluster that ends under a running step fails with ClusterTerminated', async () => {
    const { provider } = scriptedProvider({ steps: ['RUNNING'], clusterEnded: (n) => n >= 2 });
    const f = await failureOf(mockEnv().run(waitForStep, provider, STEP));
    expect(f).toMatchObject({ type: 'ClusterTerminated', nonRetryable: true });
    expect(f.message).toContain('The master node was lost');
  });

  it('a provider that watches the step is polled again as soon as the watch fires, not after the interval', async () => {
    const { provider, polls } = scriptedProvider({ steps: ['RUNNING', 'COMPLETED'] });
    Object.assign(provider, {
      pollSeconds: 3600,
      watchStep: () => new Promise<void>((resolve) => setTimeout(resolve, 50)),
    });
    const started = Date.now();
    expect(await mockEnv().run(waitForStep, provider, STEP)).toMatchObject({ state: 'COMPLETED' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(polls()).toBe(2);
  });

  it('when the watch never fires the poll interval still applies, and each watch is released', async () => {
    const { provider } = scriptedProvider({ steps: ['RUNNING', 'RUNNING', 'COMPLETED'] });
    let watching = 0;
    Object.assign(provider, {
      watchStep: (_c: string, _s: string, signal: AbortSignal) => new Promise<void>((resolve) => {
        watching += 1;
        signal.addEventListener('abort', () => { watching -= 1; resolve(); });
      }),
    });
    expect(await mockEnv().run(waitForStep, provider, STEP)).toMatchObject({ state: 'COMPLETED' });
    expect(watching).toBe(0);
  });

  it('cancelling the activity cancels the step, then rethrows the cancellation', async () => {
    const { provider, cancelled, polls } = scriptedProvider({ steps: ['RUNNING'] });
    const env = mockEnv();
    const waiting = env.run(waitForStep, provider, STEP);
    await new Promise((r) => setTimeout(r, 100));
    expect(polls()).toBeGreaterThan(1);
    env.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }));
    await expect(waiting).rejects.toBeInstanceOf(CancelledFailure);
    expect(cancelled).toEqual(['s-1']);
  });

  it('item 6: a worker shutting down hands the wait over as a retryable failure and leaves the step running', async () => {
    for (const [reason, details] of [
      ['WORKER_SHUTDOWN', { workerShutdown: true }],
      ['TIMED_OUT', { timedOut: true }],
    ] as const) {
      const { provider, cancelled } = scriptedProvider({ steps: ['RUNNING'] });
      const env = mockEnv();
      const waiting = env.run(waitForStep, provider, STEP);
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      env.cancel(reason, new ActivityCancellationDetails(details));
      const f = await failureOf(waiting);
      expect(Date.now() - started, 'handed over at once').toBeLessThan(1_000);
      expect(f).toMatchObject({ type: 'WaitHandedOver', nonRetryable: false });
      expect(f.message).toContain('the step keeps running');
      expect(cancelled, `${reason}: the step is not the stopping worker's to cancel`).toEqual([]);
    }
  });

  it('item 7: a step seen RUNNING whose cluster then ended is described again: completed is completed', async () => {
    // The cluster ends itself with its step: the step finished between describeStep and describeCluster.
    const { provider } = scriptedProvider({ steps: ['RUNNING', { state: 'COMPLETED', endedAt: 'T' }], clusterEnded: (n) => n >= 1 });
    expect(await mockEnv().run(waitForStep, provider, STEP)).toMatchObject({ state: 'COMPLETED', endedAt: 'T' });
    const failed = scriptedProvider({ steps: ['RUNNING', { state: 'FAILED', reason: 'exit code 1' }], clusterEnded: (n) => n >= 1 });
    expect(await failureOf(mockEnv().run(waitForStep, failed.provider, STEP))).toMatchObject({ type: 'SparkStepFailed' });
  });
});
