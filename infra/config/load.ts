// Reads dl.cfg (INI) once, applies EMRFLOW_<SECTION>_<KEY> environment overrides, validates
// every value and returns one typed object. Any problem throws a ConfigError whose message is
// the single line the CLI prints before exiting with code 2.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseIni } from 'ini';
import { ConfigError } from './errors';
import { DEFAULT_PRICES } from '../../activities/cost/prices';
import { FieldError, type Field } from './fields';
import { schema, type EmrflowConfig } from './schema';
import { didYouMean } from './suggest';

export const DEFAULT_CONFIG_FILE = 'dl.cfg';

export interface LoadOptions {
  /** Path given with --config or EMRFLOW_CONFIG; when set, the file must exist. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * false: accept settings the provider cannot run with (e.g. no [s3] code_uri for emr). For
   * `emrflow aws check`, which reports each of them as a failed check with its fix.
   */
  providerChecks?: boolean;
}

export interface LoadedConfig {
  config: EmrflowConfig;
  /** Things worth saying once, that do not stop the process (permissions, exposed ports). */
  warnings: string[];
}

type RawSections = Record<string, Record<string, string>>;

function readIni(file: string): RawSections {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the configuration file (${(e as Error).message})`);
  }
  const parsed = parseIni(text) as Record<string, unknown>;
  const out: RawSections = {};
  for (const [section, body] of Object.entries(parsed)) {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ConfigError(`${file}: "${section}" is outside any [section]; put every key under a section such as [cluster]`);
    out[section] = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'object' && value !== null)
        throw new ConfigError(`${file}: [${section}] nested section "${key}" is not supported`);
      out[section]![key] = String(value === true ? 'true' : value).trim();
    }
  }
  return out;
}

/**
 * EMRFLOW_ variables that are not settings: the config file's path, the pipelines folder, and
 * what tests and benchmarks pass to jobs (EMRFLOW_TEST_*, EMRFLOW_FAULT_*, EMRFLOW_BENCH_*, and
 * EMRFLOW_ETL_SCRIPT, where the benchmark's stand-in job finds etl.py).
 */
const NOT_SETTINGS = new Set(['EMRFLOW_CONFIG', 'EMRFLOW_PIPELINES_DIR', 'EMRFLOW_ETL_SCRIPT']);
const NOT_SETTING_PREFIXES = ['EMRFLOW_TEST_', 'EMRFLOW_FAULT_', 'EMRFLOW_BENCH_'];

function envOverrides(env: NodeJS.ProcessEnv): Map<string, { value: string; name: string }> {
  const found = new Map<string, { value: string; name: string }>();
  const settings: string[] = [];
  for (const [section, keys] of Object.entries(schema)) {
    for (const key of Object.keys(keys)) {
      const name = `EMRFLOW_${section}_${key}`.toUpperCase();
      settings.push(name);
      const value = env[name];
      if (value !== undefined) found.set(`${section}.${key}`, { value: value.trim(), name });
    }
  }
  // A misspelled override would otherwise be ignored without a word, and the default used.
  for (const name of Object.keys(env)) {
    if (!name.startsWith('EMRFLOW_') || NOT_SETTINGS.has(name) || NOT_SETTING_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (!settings.includes(name)) throw new ConfigError(`environment ${name}: no such setting${didYouMean(name, settings)}`);
  }
  return found;
}

function resolveLocal(value: string | undefined, baseDir: string): string | undefined {
  if (value === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  return isAbsolute(value) ? value : resolve(baseDir, value);
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  // An empty EMRFLOW_CONFIG means unset, as shells and CI systems often export it that way.
  const explicit = options.path || env.EMRFLOW_CONFIG || undefined;
  const file = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  const found = existsSync(file);
  if (explicit && !found) throw new ConfigError(`${explicit}: configuration file not found`);
  const raw = found ? readIni(file) : {};
  const where = found ? file : 'defaults';
  const baseDir = found ? dirname(file) : cwd;

  const sections = Object.keys(schema);
  for (const [section, keys] of Object.entries(raw)) {
    if (!(section in schema))
      throw new ConfigError(`${where}: unknown section [${section}]${didYouMean(section, sections)}`);
    const known = Object.keys(schema[section as keyof typeof schema]);
    for (const key of Object.keys(keys)) {
      if (!known.includes(key))
        throw new ConfigError(`${where}: [${section}] unknown key "${key}"${didYouMean(key, known)}`);
    }
  }

  const overrides = envOverrides(env);
  const values: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(schema)) {
    values[section] = {};
    for (const [key, f] of Object.entries(keys) as [string, Field<unknown>][]) {
      const override = overrides.get(`${section}.${key}`);
      const rawValue = override?.value ?? raw[section]?.[key];
      if (rawValue === undefined) {
        values[section]![key] = f.default;
        continue;
      }
      try {
        values[section]![key] = f.parse(rawValue);
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        const origin = override ? `environment ${override.name}` : `${where}: [${section}] ${key}`;
        // A secret's parser never puts the value in its message (fields.ts), so it is safe to show.
        const message = e.message;
        throw new ConfigError(`${origin}: ${message}`);
      }
    }
  }

  const config = values as unknown as EmrflowConfig;
  config.source = { file, found, baseDir };
  config.datalake.input_data = resolveLocal(config.datalake.input_data, baseDir)!;
  config.datalake.output_data = resolveLocal(config.datalake.output_data, baseDir)!;
  config.local.state_dir = resolveLocal(config.local.state_dir, baseDir)!;

  checkCombinations(config, where, options.providerChecks ?? true);
  return { config, warnings: warningsFor(config, raw) };
}

function checkCombinations(c: EmrflowConfig, where: string, providerChecks: boolean): void {
  if (providerChecks) checkProviderSettings(c, where);
  if (Boolean(c.aws.access_key_id) !== Boolean(c.aws.secret_access_key))
    throw new ConfigError(`${where}: [aws] access_key_id and secret_access_key must be given together`);
  if (Boolean(c.temporal.tls_cert_path) !== Boolean(c.temporal.tls_key_path))
    throw new ConfigError(`${where}: [temporal] tls_cert_path and tls_key_path must be given together`);
}

function checkProviderSettings(c: EmrflowConfig, where: string): void {
  const p = c.cluster.provider;
  if (p === 'emr' || p === 'emr-serverless') {
    if (!c.s3.code_uri) throw new ConfigError(`${where}: [s3] code_uri is required when [cluster] provider = ${p} (an s3:// URI where the job script is staged)`);
    if (p === 'emr' && !c.s3.log_uri) throw new ConfigError(`${where}: [s3] log_uri is required when [cluster] provider = emr (an s3:// URI for EMR logs)`);
    if (p === 'emr-serverless' && !c.s3.log_uri && !c.emr_serverless.log_uri)
      throw new ConfigError(`${where}: [emr_serverless] log_uri (or [s3] log_uri) is required when [cluster] provider = emr-serverless (an s3:// URI for the job runs' logs)`);
    if (p === 'emr-serverless' && !c.emr_serverless.execution_role_arn)
      throw new ConfigError(`${where}: [emr_serverless] execution_role_arn is required when [cluster] provider = emr-serverless (the IAM role job runs assume; \`emrflow aws bootstrap\` creates arn:aws:iam::<account>:role/emrflow-serverless-job)`);
    for (const key of ['input_data', 'output_data'] as const) {
      if (!c.datalake[key].startsWith('s3://'))
        throw new ConfigError(`${where}: [datalake] ${key} must be an s3:// URI when [cluster] provider = ${p}, got "${c.datalake[key]}"`);
    }
    // Every run's cost is estimated from these prices: an instance type without one would be counted as free.
    for (const key of ['master_instance_type', 'core_instance_type'] as const) {
      const type = c.emr[key];
      if (DEFAULT_PRICES.instanceHourUsd[type] === undefined && c.cost.instance_hour_usd?.[type] === undefined)
        throw new ConfigError(`${where}: [cost] instance_hour_usd has no price for [emr] ${key} = ${type}; add ${type}=<USD per hour> (EC2 on-demand price in your region)`);
    }
  } else {
    for (const key of ['input_data', 'output_data'] as const) {
      if (c.datalake[key].startsWith('s3://'))
        throw new ConfigError(`${where}: [datalake] ${key} must be a local path when [cluster] provider = local, got "${c.datalake[key]}"`);
    }
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

function warningsFor(c: EmrflowConfig, raw: RawSections): string[] {
  const warnings: string[] = [];
  if (c.source.found && (raw.aws?.access_key_id || raw.aws?.secret_access_key || raw.temporal?.api_key || raw.notify?.webhook_url)) {
    const mode = statSync(c.source.file).mode;
    if (mode & 0o077)
      warnings.push(`${c.source.file} holds credentials and is readable by group or others; run: chmod 600 ${c.source.file}`);
  }
  if (!LOOPBACK.test(c.temporal.bind_ip))
    warnings.push(`[temporal] bind_ip = ${c.temporal.bind_ip}: the dev server and its web UI (no authentication) are reachable from other machines`);
  return warnings;
}
