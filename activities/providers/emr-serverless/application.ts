// The application job runs go to: the configured one, or the one emrflow created for this
// deployment earlier (found by its tags), or a new one created with the configured settings.
// A stopped application is started, and the start is awaited (bounded) with heartbeats.
import {
  CreateApplicationCommand, GetApplicationCommand, ListApplicationsCommand, StartApplicationCommand,
  type Application, type EMRServerlessClient,
} from '@aws-sdk/client-emr-serverless';
import { createHash } from 'node:crypto';
import type { EmrflowConfig } from '../../../infra/config';
import { callTimeout } from '../../aws-clients';
import { TAG } from '../cluster-provider';

export type ServerlessSettings = EmrflowConfig['emr_serverless'];

export const isResourceNotFound = (e: unknown): boolean => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'ResourceNotFoundException' || err.$metadata?.httpStatusCode === 404;
};

/** The settings an application emrflow creates gets (also what `aws bootstrap` creates). */
export function applicationSpec(s: ServerlessSettings, deployment: string, extraTags: Record<string, string> = {}) {
  return {
    name: s.application_name,
    releaseLabel: s.release_label,
    type: 'SPARK',
    architecture: s.architecture,
    // No pre-initialized capacity: nothing is billed between runs.
    autoStartConfiguration: { enabled: true },
    autoStopConfiguration: { enabled: true, idleTimeoutMinutes: s.auto_stop_idle_minutes },
    maximumCapacity: { cpu: `${s.max_vcpu} vCPU`, memory: `${s.max_memory_gb} GB`, disk: `${s.max_disk_gb} GB` },
    tags: { ...extraTags, [TAG.managed]: 'true', [TAG.deployment]: deployment },
    // One application per deployment and name, even when two workers create it at once.
    clientToken: createHash('sha256').update(`emrflow-application|${deployment}|${s.application_name}`).digest('hex').slice(0, 64),
  };
}

export async function getApplication(client: EMRServerlessClient, applicationId: string): Promise<Application | undefined> {
  try {
    return (await client.send(new GetApplicationCommand({ applicationId }), callTimeout())).application;
  } catch (e) {
    if (isResourceNotFound(e)) return undefined;
    throw e;
  }
}

/** emrflow's own application of this deployment and name, if one exists (not terminated). */
export async function findManagedApplication(client: EMRServerlessClient, s: ServerlessSettings, deployment: string): Promise<Application | undefined> {
  for (const summary of await listManagedApplications(client)) {
    if (summary.name !== s.application_name) continue;
    const app = await getApplication(client, summary.id!);
    if (app?.tags?.[TAG.managed] === 'true' && app.tags[TAG.deployment] === deployment && app.state !== 'TERMINATED') return app;
  }
  return undefined;
}

/** Every application that is not terminated (the caller reads tags with GetApplication). */
export async function listManagedApplications(client: EMRServerlessClient) {
  const out = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListApplicationsCommand({ nextToken, states: ['CREATING', 'CREATED', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED'] }), callTimeout());
    out.push(...(page.applications ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export interface ResolveOptions {
  settings: ServerlessSettings;
  deployment: string;
  extraTags?: Record<string, string>;
  /** Called while waiting for the application to start, with its state and the seconds waited. */
  onWait?: (state: string, waitedSeconds: number) => void;
  /** How long to wait for STARTED before returning (auto-start queues job runs meanwhile). Default 90 s. */
  maxStartWaitMs?: number;
  pollMs?: number;
}

/** The application to use, started. Throws one line naming the setting when the configured one is unusable. */
export async function resolveApplication(client: EMRServerlessClient, o: ResolveOptions): Promise<Application> {
  const configured = o.settings.application_id;
  let app: Application | undefined;
  if (configured) {
    app = await getApplication(client, configured);
    if (!app || app.state === 'TERMINATED')
      throw new Error(`[emr_serverless] application_id = ${configured}: ${app ? 'the application is terminated' : 'no such application'} in this account and region; fix the id, or unset it to let emrflow create one`);
  } else {
    app = await findManagedApplication(client, o.settings, o.deployment);
    if (!app) {
      const spec = applicationSpec(o.settings, o.deployment, o.extraTags);
      const created = await client.send(new CreateApplicationCommand(spec), callTimeout());
      app = await getApplication(client, created.applicationId!);
      if (!app) throw new Error(`EMR Serverless created application ${created.applicationId} but cannot find it`);
    }
  }
  return startApplication(client, app, o);
}

/** Starts a stopped (or just created) application and waits, bounded, until it has started. */
export async function startApplication(client: EMRServerlessClient, app: Application, o: Pick<ResolveOptions, 'onWait' | 'maxStartWaitMs' | 'pollMs'>): Promise<Application> {
  const id = app.applicationId!;
  if (app.state === 'STOPPED' || app.state === 'CREATED') await client.send(new StartApplicationCommand({ applicationId: id }), callTimeout());
  else if (app.state === 'STARTED') return app;
  const started = Date.now();
  const deadline = started + (o.maxStartWaitMs ?? 90_000);
  let current = app;
  for (;;) {
    current = (await getApplication(client, id)) ?? current;
    if (current.state === 'STARTED' || Date.now() > deadline) return current;
    // STOPPING: it must stop before it can start again.
    if (current.state === 'STOPPED') await client.send(new StartApplicationCommand({ applicationId: id }), callTimeout());
    o.onWait?.(current.state ?? 'UNKNOWN', Math.round((Date.now() - started) / 1000));
    await new Promise((r) => setTimeout(r, o.pollMs ?? 3_000));
  }
}
