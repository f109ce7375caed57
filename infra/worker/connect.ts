// Connections to Temporal from the config: the worker's NativeConnection and clients' Connection.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { EmrflowConfig } from '../config';

export function tlsOptions(t: EmrflowConfig['temporal']) {
  // A private CA (self-hosted cluster) and a server name other than the address's host (a load
  // balancer in front of the frontend) go with or without a client certificate.
  const server = {
    ...(t.tls_ca_path && { serverRootCACertificate: readFileSync(t.tls_ca_path) }),
    ...(t.tls_server_name && { serverNameOverride: t.tls_server_name }),
  };
  if (t.tls_cert_path && t.tls_key_path)
    return { ...server, clientCertPair: { crt: readFileSync(t.tls_cert_path), key: readFileSync(t.tls_key_path) } };
  if (Object.keys(server).length) return server;
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
