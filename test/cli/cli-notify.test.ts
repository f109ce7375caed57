// `emrflow notify test` as a user runs it: one message per configured webhook, what each
// answered, exit 1 when one failed, and never the URL itself on the terminal.
import { expect, test } from 'vitest';
import { emrflow } from '../support/cli-process';
import { webhookReceiver } from '../support/webhook-receiver';

test('notify test posts to every webhook and says what each answered; exit 1 when one failed', async () => {
  const good = await webhookReceiver();
  const bad = await webhookReceiver([500]);
  try {
    const r = await emrflow(['notify', 'test'], {}, { dlCfg: `[notify]\nwebhook_url = ${good.url}, ${bad.url}\n` });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok {5}webhook 1 of 2 \(127\.0\.0\.1:\d+\): HTTP 200 ok$/m);
    expect(r.stdout).toMatch(/^FAILED webhook 2 of 2 \(127\.0\.0\.1:\d+\): HTTP 500 internal_error$/m);
    expect(good.delivered).toHaveLength(1);
    expect(good.delivered[0]!.text).toContain('emrflow test message');
    expect(bad.requests).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain(good.token);
    expect(r.stdout + r.stderr).not.toContain(bad.token);
    const ok = await emrflow(['notify', 'test'], { EMRFLOW_NOTIFY_WEBHOOK_URL: good.url });
    expect(ok.code).toBe(0);
    expect(good.delivered).toHaveLength(2);
  } finally {
    await good.close();
    await bad.close();
  }
});

test('notify test without a webhook: one line naming the key, exit 2', async () => {
  const r = await emrflow(['notify', 'test'], {}, { dlCfg: '[cluster]\nprovider = local\n' });
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(/^emrflow: \S+dl\.cfg: \[notify\] webhook_url is not set; nothing to test$/);
});
