// Configured credentials must never reach a workflow's history or the worker's logs. The
// fake values are recognisable, so a leak anywhere in a text shows up as a plain substring.
import type { Client } from '@temporalio/client';

/** As environment overrides: the config (and so the activities) hold them, nothing else may. */
export const FAKE_SECRETS = {
  EMRFLOW_AWS_ACCESS_KEY_ID: 'AKIAEMRFLOWTESTSECRET1',
  EMRFLOW_AWS_SECRET_ACCESS_KEY: 'emrflow-test-secret-access-key-do-not-leak',
  EMRFLOW_TEMPORAL_API_KEY: 'emrflow-test-temporal-api-key-do-not-leak',
  // A webhook nobody answers (port 9 refuses): a failed run's message is tried, retried, and
  // given up on, with the URL in the worker's config the whole time.
  EMRFLOW_NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0EMRFLOW/B0TEST/emrflow-test-webhook-key-do-not-leak',
} as const;

/** The AWS pair alone, for a worker that must really connect to the plain (no TLS) test server. */
export const FAKE_AWS_SECRETS = {
  EMRFLOW_AWS_ACCESS_KEY_ID: FAKE_SECRETS.EMRFLOW_AWS_ACCESS_KEY_ID,
  EMRFLOW_AWS_SECRET_ACCESS_KEY: FAKE_SECRETS.EMRFLOW_AWS_SECRET_ACCESS_KEY,
} as const;

/**
 * The full history as text, with every payload DECODED: fetchHistory() gives payload `data`
 * (and metadata values) base64-encoded, where a plain substring search finds nothing at all.
 */
export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history, function (this: Record<string, unknown>, key: string, value: unknown) {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    const inPayload = key === 'data' || (this && typeof this === 'object' && 'encoding' in this);
    if (typeof value === 'string' && inPayload && /^[A-Za-z0-9+/]*={0,2}$/.test(value))
      return Buffer.from(value, 'base64').toString('utf8');
    return value;
  });
}

/**
 * The names of the secrets whose value occurs in text (an empty list is what a test wants). For a
 * URL (a webhook) its path alone counts too: that is the part that holds the key.
 */
export function leakedSecrets(text: string, secrets: Record<string, string> = FAKE_SECRETS): string[] {
  const found = (value: string): boolean => text.includes(value) || (/^https?:\/\//.test(value) && text.includes(new URL(value).pathname));
  return Object.entries(secrets).filter(([, value]) => found(value)).map(([name]) => name);
}
