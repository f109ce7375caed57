// The notify activity: one message to every [notify] webhook_url. The URLs come from the worker's
// config and stay here; the workflow passes only the facts (pipeline, date, outcome, reason).
// A failed webhook fails the attempt and Temporal retries it with backoff; webhooks that already
// took the message are remembered in the heartbeat, so a retry does not send it to them twice.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { EmrflowConfig } from '../../infra/config';
import { uiUrl } from '../../infra/server/dev-server';
import type { NotifyRequest, NotifyResult } from '../../workflows/shared';
import { notifyBody } from './message';
import { describeAnswer, postJson } from './post';

/** The run's page in the Temporal web UI. */
export function runLink(config: EmrflowConfig, workflowId: string, runId: string): string {
  return `${uiUrl(config)}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}`;
}

export function createNotifyActivities(config: EmrflowConfig) {
  return {
    async notify(request: NotifyRequest): Promise<NotifyResult> {
      const urls = config.notify.webhook_url ?? [];
      const ctx = Context.current();
      const body = notifyBody(request, runLink(config, request.workflowId, request.runId));
      const earlier = ctx.info.heartbeatDetails as { delivered?: NotifyResult['delivered'] } | undefined;
      const delivered = [...(earlier?.delivered ?? [])];
      const failed: string[] = [];
      for (const [i, url] of urls.entries()) {
        if (delivered.some((d) => d.webhook === i + 1)) continue;
        const answer = await postJson(url, i + 1, body);
        if (answer.ok) {
          delivered.push({ webhook: i + 1, status: answer.status });
          ctx.heartbeat({ delivered });
        } else {
          failed.push(describeAnswer(answer, urls.length));
        }
      }
      if (failed.length > 0) {
        ctx.log.warn('notification not delivered; Temporal retries it', { outcome: request.outcome, workflowId: request.workflowId, attempt: ctx.info.attempt, failed });
        throw ApplicationFailure.create({ type: 'NotifyFailed', message: `the ${request.outcome} message was not delivered: ${failed.join('; ')}` });
      }
      return { delivered };
    },
  };
}
