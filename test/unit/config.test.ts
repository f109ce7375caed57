import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';

function writeCfg(text: string, mode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'emrflow-cfg-'));
  const file = join(dir, 'dl.cfg');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const EMR_OK = `[cluster]\nprovider = emr\n[s3]\ncode_uri = s3://bucket/code\nlog_uri = s3://bucket/logs\n[datalake]\ninput_data = s3://bucket/in\noutput_data = s3://bucket/out\n`;

describe('bad configuration: one line naming file, section and key', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown section', '[clustre]\nprovider = local\n', /unknown section \[clustre\] \(did you mean "cluster"\?\)/],
    ['unknown key', '[emr]\ncore_instance_cnt = 2\n', /\[emr\] unknown key "core_instance_cnt" \(did you mean "core_instance_count"\?\)/],
    ['wrong type', '[emr]\ncore_instance_count = three\n', /\[emr\] core_instance_count: expected a whole number, got "three"/],
    ['out of range', '[emr]\ncore_instance_count = 0\n', /\[emr\] core_instance_count: expected a number from 1 to 500, got 0/],
    ['bad enum', '[cluster]\nprovider = k8s\n', /\[cluster\] provider: expected one of local \| emr, got "k8s"/],
    ['bad market', '[emr]\ncore_market = cheap\n', /\[emr\] core_market: expected one of ON_DEMAND \| SPOT/],
    ['malformed s3 uri', '[s3]\ncode_uri = s3:/bucket\n', /\[s3\] code_uri: expected an s3:\/\/bucket\/prefix URI, got "s3:\/bucket"/],
    ['bucket name too short', '[s3]\nlog_uri = s3://b\n', /\[s3\] log_uri: expected an s3:\/\/bucket\/prefix URI/],
    ['emr without [s3]', '[cluster]\nprovider = emr\n', /\[s3\] code_uri is required when \[cluster\] provider = emr/],
    ['emr with a local datalake', EMR_OK.replace('s3://bucket/in', '/data/in'), /\[datalake\] input_data must be an s3:\/\/ URI when \[cluster\] provider = emr/],
    ['local with an s3 datalake', '[datalake]\noutput_data = s3://bucket/out\n', /\[datalake\] output_data must be a local path/],
    ['bad time of day', '[schedule]\ndaily_time = 25:00\n', /\[schedule\] daily_time: expected HH:MM/],
    ['bad time zone', '[schedule]\ntime_zone = Mars/Base\n', /\[schedule\] time_zone: expected an IANA time zone/],
    ['bad region', '[aws]\nregion = westus\n', /\[aws\] region: expected an AWS region/],
    ['bad endpoint', '[aws]\nendpoint_url = localhost:5000\n', /\[aws\] endpoint_url: expected an http\(s\):\/\/ URL/],
    ['half a key pair', '[aws]\naccess_key_id = AKIAEXAMPLE\n', /\[aws\] access_key_id and secret_access_key must be given together/],
    ['bad share', '[quality]\nmax_rejected_share = 1.5\n', /\[quality\] max_rejected_share: expected a number from 0 to 1/],
    ['key outside a section', 'provider = local\n', /"provider" is outside any \[section\]/],
    ['reserved tag', '[emr]\nextra_tags = emrflow:managed=false\n', /\[emr\] extra_tags: tag "emrflow:managed" is reserved/],
  ];

  test.each(cases)('%s', (_name, text, expected) => {
    const file = writeCfg(text);
    let error: unknown;
    try {
      loadConfig({ path: file, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
    if (!/outside any/.test(message)) expect(message.startsWith(file)).toBe(true);
  });

  test('a missing --config file is an error, a missing default dl.cfg is not', () => {
    expect(() => loadConfig({ path: '/nonexistent/dl.cfg', env: {} })).toThrow(/configuration file not found/);
    const dir = mkdtempSync(join(tmpdir(), 'emrflow-empty-'));
    const { config } = loadConfig({ env: {}, cwd: dir });
    expect(config.source.found).toBe(false);
    expect(config.cluster.provider).toBe('local');
  });

  test('secret values are never echoed in errors', () => {
    const file = writeCfg('[aws]\naccess_key_id = \nsecret_access_key = s3cr3t\n');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/access_key_id: expected a non-empty value/);
  });
});

describe('valid configuration', () => {
  test('local defaults, resolved against the config file directory', () => {
    const file = writeCfg('[datalake]\ninput_data = data/in\n');
    const { config, warnings } = loadConfig({ path: file, env: {} });
    expect(config.datalake.input_data).toBe(join(file, '..', 'data/in'));
    expect(config.emr.release_label).toBe('emr-7.13.0');
    expect(config.temporal.task_queue).toBe('emrflow');
    expect(config.emr.core_instance_count).toBe(2);
    expect(warnings).toEqual([]);
  });

  test('environment variables override single keys, and are validated too', () => {
    const file = writeCfg('[emr]\ncore_instance_count = 2\n');
    const { config } = loadConfig({ path: file, env: { EMRFLOW_EMR_CORE_INSTANCE_COUNT: '5', EMRFLOW_TEMPORAL_TASK_QUEUE: 'q2' } });
    expect(config.emr.core_instance_count).toBe(5);
    expect(config.temporal.task_queue).toBe('q2');
    expect(() => loadConfig({ path: file, env: { EMRFLOW_EMR_CORE_INSTANCE_COUNT: 'x' } }))
      .toThrow(/^environment EMRFLOW_EMR_CORE_INSTANCE_COUNT: expected a whole number/);
  });

  test('emr provider with s3 locations and extra tags', () => {
    const { config } = loadConfig({ path: writeCfg(`${EMR_OK}[emr]\ncore_market = spot\nextra_tags = team=data, cost=12\n`), env: {} });
    expect(config.cluster.provider).toBe('emr');
    expect(config.emr.core_market).toBe('SPOT');
    expect(config.emr.extra_tags).toEqual({ team: 'data', cost: '12' });
  });

  test('credentials in a group-readable file draw a warning', () => {
    const file = writeCfg('[aws]\naccess_key_id = AKIAEXAMPLE\nsecret_access_key = s3cr3t\n', 0o644);
    const { warnings } = loadConfig({ path: file, env: {} });
    expect(warnings.join('\n')).toMatch(/holds credentials and is readable by group or others; run: chmod 600/);
    expect(warnings.join('\n')).not.toContain('s3cr3t');
  });

  test('binding the dev server off loopback draws a warning', () => {
    const { warnings } = loadConfig({ path: writeCfg('[temporal]\nbind_ip = 0.0.0.0\n'), env: {} });
    expect(warnings.join('\n')).toMatch(/bind_ip = 0.0.0.0.*reachable from other machines/);
  });
});
