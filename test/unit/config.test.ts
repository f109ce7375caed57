import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../support/temp-dir';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';
import { BAD_CONFIG_CASES, EMR_OK } from './config-cases';

function writeCfg(text: string, mode = 0o600): string {
  const dir = testTempDir('emrflow-cfg-');
  const file = join(dir, 'dl.cfg');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('bad configuration: one line naming file, section and key', () => {
  const cases = BAD_CONFIG_CASES;

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
    const dir = testTempDir('emrflow-empty-');
    const { config } = loadConfig({ env: {}, cwd: dir });
    expect(config.source.found).toBe(false);
    expect(config.cluster.provider).toBe('local');
  });

  test('secret values are never echoed in errors', () => {
    const file = writeCfg('[aws]\naccess_key_id = \nsecret_access_key = s3cr3t\n');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/access_key_id: expected a non-empty value/);
    const bad = writeCfg('[notify]\nwebhook_url = ftp://hooks.example.com/T0SECRET\n');
    expect(() => loadConfig({ path: bad, env: {} })).toThrow(/\[notify\] webhook_url: expected http/);
    expect(() => loadConfig({ path: bad, env: {} })).not.toThrow(/T0SECRET/);
  });

  test('[notify]: several webhooks, and which outcomes are sent (default all but success)', () => {
    expect(loadConfig({ path: writeCfg('[cluster]\nprovider = local\n'), env: {} }).config.notify)
      .toEqual({ webhook_url: undefined, on: ['failure', 'data_quality', 'cluster_left_running', 'deadline_missed'] });
    const file = writeCfg('[notify]\nwebhook_url = https://hooks.slack.com/services/T/B/x , http://127.0.0.1:9000/hook\non = success,failure\n');
    expect(loadConfig({ path: file, env: {} }).config.notify)
      .toEqual({ webhook_url: ['https://hooks.slack.com/services/T/B/x', 'http://127.0.0.1:9000/hook'], on: ['success', 'failure'] });
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

  test('an EMRFLOW_ variable that matches no setting stops with the nearest setting, instead of being ignored', () => {
    const file = writeCfg('[emr]\ncore_instance_count = 2\n');
    expect(() => loadConfig({ path: file, env: { EMRFLOW_EMR_CORE_INSTANCE_CONT: '3' } }))
      .toThrow(/^environment EMRFLOW_EMR_CORE_INSTANCE_CONT: no such setting \(did you mean "EMRFLOW_EMR_CORE_INSTANCE_COUNT"\?\)$/);
    // The variables that are not settings: the config's path, the pipelines folder, test and benchmark hooks.
    expect(() => loadConfig({ path: file, env: { EMRFLOW_CONFIG: file, EMRFLOW_PIPELINES_DIR: '/p', EMRFLOW_TEST_HOLD: 'x', EMRFLOW_FAULT_PUBLISH: 'y', EMRFLOW_BENCH_NO_SPARK: '1', EMRFLOW_ETL_SCRIPT: '/e.py' } }))
      .not.toThrow();
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
