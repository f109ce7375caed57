// One POST of a JSON body to one webhook, with a timeout, reported without the URL: a webhook's
// URL is its credential (Slack's path is the key), so only its position and host are ever named.

export interface WebhookAnswer {
  /** 1-based position in [notify] webhook_url. */
  webhook: number;
  /** The URL's host, safe to print. */
  host: string;
  ok: boolean;
  /** HTTP status, or 0 when no answer came (refused, timed out). */
  status: number;
  /** The answer's first line, or why there was none. */
  firstLine: string;
}

export const POST_TIMEOUT_MS = 10_000;

export async function postJson(url: string, webhook: number, body: unknown, timeoutMs = POST_TIMEOUT_MS): Promise<WebhookAnswer> {
  const host = new URL(url).host;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { webhook, host, ok: res.ok, status: res.status, firstLine: text.split('\n')[0]!.slice(0, 200) };
  } catch (e) {
    // fetch's own message says "fetch failed"; the cause names what happened (ECONNREFUSED, timeout).
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { webhook, host, ok: false, status: 0, firstLine: scrub(why, url) };
  }
}

/** Never let the URL through, whatever an error message quotes. */
function scrub(text: string, url: string): string {
  const u = new URL(url);
  return text.split(url).join(`webhook at ${u.host}`).split(u.pathname.length > 1 ? u.pathname : '\u0000').join('/…');
}

export const describeAnswer = (a: WebhookAnswer, of: number): string =>
  `webhook ${a.webhook} of ${of} (${a.host}): ${a.status === 0 ? 'no answer' : `HTTP ${a.status}`}${a.firstLine ? ` ${a.firstLine}` : ''}`;
