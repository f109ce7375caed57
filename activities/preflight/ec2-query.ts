// A minimal EC2 Query API call (signed with SigV4), for the few read-only look-ups the network
// checks need: the project has no EC2 SDK client, and adding a dependency was not possible here.
// Credentials come from the same provider chain as the other clients (through the STS client).
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { STSClient } from '@aws-sdk/client-sts';
import { AWS_CALL_TIMEOUT_MS } from '../aws-clients';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SigV4's hash interface over node:crypto (HMAC when given a secret). */
class NodeSha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void { this.h.update(bytes(data)); }
  digest(): Promise<Uint8Array> { return Promise.resolve(new Uint8Array(this.h.digest())); }
}

export class Ec2Error extends Error {
  constructor(readonly code: string, message: string, readonly status: number) { super(message); this.name = code; }
  get $metadata() { return { httpStatusCode: this.status }; }
}

export interface Ec2Target { region: string; endpoint?: string; sts: STSClient }

/** Calls `action` with `params`; returns the response XML, or throws Ec2Error with AWS's code. */
export async function ec2Query(target: Ec2Target, action: string, params: Record<string, string>): Promise<string> {
  const url = new URL(target.endpoint ?? `https://ec2.${target.region}.amazonaws.com/`);
  const body = new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString();
  const signer = new SignatureV4({ service: 'ec2', region: target.region, credentials: target.sts.config.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(AWS_CALL_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP${res.status}`;
    throw new Ec2Error(code, /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? code, res.status);
  }
  return text;
}

/** The tags of the one resource a Describe* response for a single id holds. */
export function tagsIn(xml: string): Record<string, string> {
  const tagSet = /<tagSet>([\s\S]*?)<\/tagSet>/.exec(xml)?.[1] ?? '';
  const tags: Record<string, string> = {};
  for (const m of tagSet.matchAll(/<key>([^<]*)<\/key>\s*<value>([^<]*)<\/value>/g)) tags[m[1]!] = m[2]!;
  return tags;
}

export const field = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
