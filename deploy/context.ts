// The CDK app's context (deploy/cdk.context.example.json is a complete example): read once,
// checked, and turned into the worker's settings. A missing or wrong value is a ContextError
// whose message is the one line `cdk synth` prints, naming the context key.
import { loadConfig, ConfigError, type EmrflowConfig } from '../infra/config';
import { schema } from '../infra/config/schema';

export class ContextError extends Error {}

export const PROVIDERS = ['emr', 'emr-serverless'] as const;
export type DeployProvider = (typeof PROVIDERS)[number];

export interface DeployContext {
  region: string;
  vpcId: string;
  availabilityZones: string[];
  subnetIds: string[];
  /** The worker image, as `docker push` named it (registry/repository:tag). */
  image: string;
  provider: DeployProvider;
  temporal: { address: string; namespace: string; deployment: string };
  /** dl.cfg keys (`section.key`) → Secrets Manager secret names, e.g. temporal.api_key. */
  secrets: Record<string, string>;
  workerCount: number;
  /** Days the cluster and job logs under [s3] log_uri are kept. */
  logRetentionDays: number;
  /** Every EMRFLOW_* variable the worker runs with (not the secrets), also what `aws bootstrap` reads. */
  environment: Record<string, string>;
  /** The settings those variables give, validated by the worker's own config loader. */
  config: EmrflowConfig;
}

type Get = (key: string) => unknown;
const KEY = (name: string) => `emrflow:${name}`;

function str(get: Get, name: string, pattern?: RegExp, what?: string): string {
  const v = get(KEY(name));
  if (v === undefined || v === null || v === '') throw new ContextError(`context ${KEY(name)} is missing (see deploy/cdk.context.example.json)`);
  if (typeof v !== 'string') throw new ContextError(`context ${KEY(name)} must be a string`);
  if (pattern && !pattern.test(v)) throw new ContextError(`context ${KEY(name)} "${v}" is not ${what}`);
  return v;
}

/** A list, given as a JSON array (cdk.context.json) or a comma-separated string (`-c key=a,b`). */
function list(get: Get, name: string, pattern: RegExp, what: string): string[] {
  const v = get(KEY(name));
  const items = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(items) || items.length === 0) throw new ContextError(`context ${KEY(name)} is missing: give at least one ${what} (see deploy/cdk.context.example.json)`);
  for (const item of items) if (typeof item !== 'string' || !pattern.test(item)) throw new ContextError(`context ${KEY(name)}: "${String(item)}" is not ${what}`);
  return items as string[];
}

function int(get: Get, name: string, fallback: number, min: number, max: number): number {
  const v = get(KEY(name));
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ContextError(`context ${KEY(name)} "${String(v)}" is not a whole number from ${min} to ${max}`);
  return n;
}

function record(get: Get, name: string): Record<string, string> {
  const v = get(KEY(name));
  if (v === undefined) return {};
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((x) => typeof x !== 'string'))
    throw new ContextError(`context ${KEY(name)} must be an object of "section.key": "value" strings`);
  return parsed as Record<string, string>;
}

/** `section.key` → EMRFLOW_SECTION_KEY, for a key dl.cfg knows. */
export function variableOf(contextKey: string, dotted: string): string {
  const [section, key, ...rest] = dotted.split('.');
  const known = section !== undefined && key !== undefined && rest.length === 0 && section in schema && key in schema[section as keyof typeof schema];
  if (!known) throw new ContextError(`context ${contextKey}: "${dotted}" is not a dl.cfg key (section.key, see dl.cfg.example)`);
  return `EMRFLOW_${section}_${key}`.toUpperCase();
}

export function readContext(get: Get): DeployContext {
  const region = str(get, 'region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-west-2');
  const vpcId = str(get, 'vpcId', /^vpc-[0-9a-f]{8,17}$/, 'a VPC id (vpc-…)');
  const availabilityZones = list(get, 'availabilityZones', /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an availability zone such as us-west-2a');
  const subnetIds = list(get, 'subnetIds', /^subnet-[0-9a-f]{8,17}$/, 'a subnet id (subnet-…)');
  if (subnetIds.length % availabilityZones.length !== 0)
    throw new ContextError(`context ${KEY('subnetIds')} has ${subnetIds.length} subnets for ${availabilityZones.length} availability zones: give the same number per zone, in ${KEY('availabilityZones')} order`);
  const image = str(get, 'image', /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, 'an image reference such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/emrflow:1.0.0');
  const providerValue = str(get, 'provider');
  if (!(PROVIDERS as readonly string[]).includes(providerValue))
    throw new ContextError(`context ${KEY('provider')} "${providerValue}" is not a provider the image serves: use ${PROVIDERS.join(' or ')}`);
  const provider = providerValue as DeployProvider;
  const temporal = {
    address: str(get, 'temporalAddress', /^[^\s:]+:\d+$/, 'host:port of the Temporal frontend'),
    namespace: (get(KEY('temporalNamespace')) as string | undefined) ?? 'default',
    // Required here although dl.cfg has a default: the default includes the address, and a new
    // address would orphan running clusters (README "Running against real AWS").
    deployment: str(get, 'deployment'),
  };
  const settings = record(get, 'settings');
  const secrets = record(get, 'secrets');
  const environment: Record<string, string> = {
    // No dl.cfg in the image: every setting comes from these variables.
    EMRFLOW_CONFIG: '',
    EMRFLOW_CLUSTER_PROVIDER: provider,
    EMRFLOW_AWS_REGION: region,
    EMRFLOW_TEMPORAL_ADDRESS: temporal.address,
    EMRFLOW_TEMPORAL_NAMESPACE: temporal.namespace,
    EMRFLOW_TEMPORAL_DEPLOYMENT: temporal.deployment,
  };
  for (const [dotted, value] of Object.entries(settings)) {
    const name = variableOf(KEY('settings'), dotted);
    if (name in environment) throw new ContextError(`context ${KEY('settings')}: set "${dotted}" with its own context key, not in settings`);
    environment[name] = value;
  }
  for (const dotted of Object.keys(secrets)) {
    const name = variableOf(KEY('secrets'), dotted);
    if (name in environment) throw new ContextError(`context ${KEY('secrets')}: "${dotted}" is also a plain setting; give it once`);
  }
  let config: EmrflowConfig;
  try {
    // Validated as the worker will read it (secrets stand in as placeholders). cwd "/": a dl.cfg
    // next to the CDK app must not leak into what the service runs with.
    const placeholders = Object.fromEntries(Object.keys(secrets).map((d) => [variableOf(KEY('secrets'), d), 'from-secrets-manager']));
    config = loadConfig({ env: { ...environment, ...placeholders, EMRFLOW_CONFIG: '' }, cwd: '/', path: undefined }).config;
  } catch (e) {
    if (e instanceof ConfigError) throw new ContextError(`context ${KEY('settings')}: ${e.message.replace(/^defaults: /, '')}`);
    throw e;
  }
  return {
    region, vpcId, availabilityZones, subnetIds, image, provider, temporal, secrets, environment, config,
    workerCount: int(get, 'workerCount', 2, 1, 50),
    logRetentionDays: int(get, 'logRetentionDays', 30, 1, 3650),
  };
}
