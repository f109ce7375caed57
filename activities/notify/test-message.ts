// `emrflow notify test`: one message to each configured webhook, saying what each answered. Run
// from the CLI (no workflow involved): it checks the URL and the receiving end, nothing else.
import { hostname } from 'node:os';
import type { EmrflowConfig } from '../../infra/config';
import { uiUrl } from '../../infra/server/dev-server';
import { postJson, type WebhookAnswer } from './post';

export async function sendTestMessages(config: EmrflowConfig): Promise<WebhookAnswer[]> {
  const urls = config.notify.webhook_url ?? [];
  const link = uiUrl(config);
  const body = {
    text: `:wave: emrflow test message from ${hostname()}: this webhook will get [notify] on = ${config.notify.on.join(', ')}. <${link}|Temporal web UI>`,
    outcome: 'test', link, on: config.notify.on, key: `test/${new Date().toISOString()}`,
  };
  const answers: WebhookAnswer[] = [];
  for (const [i, url] of urls.entries()) answers.push(await postJson(url, i + 1, body));
  return answers;
}
