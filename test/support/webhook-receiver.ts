// A local stand-in for a Slack incoming webhook: a node:http server that records every JSON body
// POSTed to its secret path and answers with scripted statuses (default 200 "ok", as Slack does).
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NotifyBody } from '../../activities/notify/message';

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/hooks/<token>: the token is the secret part, as in a Slack URL. */
  url: string;
  token: string;
  /** Every request's body, in order, whatever it was answered. */
  requests: NotifyBody[];
  /** Bodies answered 2xx: the messages delivered. */
  delivered: NotifyBody[];
  close(): Promise<void>;
}

/** statuses[i] answers the i-th request; after the list, 200. */
export async function webhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const token = `emrflow-test-webhook-${randomUUID()}`;
  const requests: NotifyBody[] = [];
  const delivered: NotifyBody[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== `/hooks/${token}`) {
        res.writeHead(404).end('no_service');
        return;
      }
      const body = JSON.parse(raw) as NotifyBody;
      const status = statuses[requests.length] ?? 200;
      requests.push(body);
      if (status < 300) delivered.push(body);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'internal_error\nmore detail');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/${token}`, token, requests, delivered,
    close: () => new Promise((resolve) => { server.close(() => resolve()); }),
  };
}
