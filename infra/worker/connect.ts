// Connections to Temporal from the config: the worker's NativeConnection and clients' Connection.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { EmrflowConfig } from '../config';

function tlsOptions(t: EmrflowConfig['temporal']) {
  if (t.tls_cert_path && t.tls_key_path)
    return { clientCertPair: { crt: readFileSync(t.tls_cert_path), key: readFileSync(t.tls_key_path) } };
  return t.tls || t.api_key ? true : undefined;
}

export function workerConnection(config: EmrflowConfig): Promise<NativeConnection> {
  const t = config.temporal;
  return NativeConnection.connect({ address: t.address, tls: tlsOptions(t), apiKey: t.api_key });
}

export async function temporalClient(config: EmrflowConfig): Promise<Client> {
  const t = config.temporal;
  const connection = await Connection.connect({ address: t.address, tls: tlsOptions(t), apiKey: t.api_key, connectTimeout: '5s' });
  return new Client({ connection, namespace: t.namespace });
}
