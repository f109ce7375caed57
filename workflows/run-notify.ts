// What a pipeline run tells the outside world once its outcome is known: a [notify] message
// (through the notify activity; the workflow never sees the webhook URL), and the pipeline's
// deadline watcher (deadline-watch.ts) hears that the run started, failed or succeeded.
// Nothing here changes the run's outcome: a message that cannot be delivered is logged.
import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, getExternalWorkflowHandle, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { api } from './activities-proxy';
import { deadlineWatchId } from './deadline';
import { runEventSignal, startWatch, type RunEvent } from './deadline-watch';
import { notifySafely } from './notify-options';
import type { PipelinePlan } from './pipeline-plan';
import type { PipelineSummary } from './pipeline-types';
import type { NotifyOutcome, PipelineSettings } from './shared';
import { stderrTailIn } from './stage-failure';

/** Which [notify] outcome a run's failure is. */
export function outcomeOf(err: unknown): NotifyOutcome {
  const type = err instanceof ApplicationFailure ? err.type : undefined;
  if (type === 'DataQualityFailed') return 'data_quality';
  if (type === 'ClusterNotTerminated') return 'cluster_left_running';
  return 'failure';
}

export class RunNotifier {
  /** Known once the input is resolved; a run that fails before has nothing to report on. */
  runDate?: string;
  private settings?: PipelineSettings;
  private watcher?: string;

  constructor(private readonly pipeline: string) {}

  /** The run's settings, once fetched (they say which outcomes to send). */
  set pipelineSettings(settings: PipelineSettings) { this.settings = settings; }

  /** The plan is known: a pipeline with a deadline gets its date's watcher, if it has none yet. */
  async planned(plan: PipelinePlan, runDate: string): Promise<void> {
    if (!plan.deadline) return;
    try {
      await startWatch(plan.name, runDate);
    } catch (err) {
      log.warn('could not start the deadline watcher; the run goes on', { error: String(err) });
      return;
    }
    this.watcher = deadlineWatchId(plan.name, runDate);
    await this.tellWatcher({ event: 'started' });
  }

  /** Runs the pipeline, then says how it ended. The run's result or failure is passed on unchanged. */
  async around(body: () => Promise<PipelineSummary>): Promise<PipelineSummary> {
    let summary: PipelineSummary;
    try {
      summary = await body();
    } catch (err) {
      if (!isCancellation(err)) await this.failed(err);
      throw err;
    }
    await this.tellWatcher({ event: 'succeeded' });
    const succeeded = summary.tasks.filter((t) => t.state === 'succeeded').length;
    await this.send('success', `${succeeded} of ${summary.tasks.length} tasks succeeded${summary.rows ? `; rows ${Object.entries(summary.rows).map(([t, n]) => `${t} ${n}`).join(', ')}` : ''}`);
    return summary;
  }

  private async failed(err: unknown): Promise<void> {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    await this.tellWatcher({ event: 'failed', reason });
    const stderrTail = err instanceof ApplicationFailure ? stderrTailIn(err) : undefined;
    await this.send(outcomeOf(err), reason, stderrTail);
  }

  private async send(outcome: NotifyOutcome, reason: string, stderrTail?: string): Promise<void> {
    if (this.runDate === undefined) return; // the input was invalid: no pipeline run to speak of
    if (!this.settings) {
      // The run failed before it fetched its settings (an unknown pipeline, a failed preflight):
      // fetch them now. Runs that failed so before this change did not: they replay without it.
      if (!patched('notify-after-early-failure')) return;
      try {
        this.settings = await CancellationScope.nonCancellable(() => api.pipelineSettings());
      } catch {
        return;
      }
    }
    if (!this.settings.notifyOn?.includes(outcome)) return;
    const { workflowId, runId } = workflowInfo();
    await notifySafely({
      outcome, pipeline: this.pipeline, runDate: this.runDate, reason, workflowId, runId,
      ...(stderrTail && { stderrTail }), key: `${workflowId}/${runId}/${outcome}`,
    });
  }

  private async tellWatcher(event: Omit<RunEvent, 'workflowId' | 'runId' | 'at'>): Promise<void> {
    if (!this.watcher) return;
    const { workflowId, runId } = workflowInfo();
    try {
      await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(this.watcher!).signal(runEventSignal, {
        ...event, workflowId, runId, at: new Date().toISOString(),
      }));
    } catch (err) {
      // The watcher has ended: the date succeeded earlier, or the run started after its deadline.
      log.info('the deadline watcher no longer listens', { watcher: this.watcher, error: String(err) });
    }
  }
}
