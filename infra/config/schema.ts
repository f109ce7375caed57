// Every section and key dl.cfg accepts, with its type and local default. dl.cfg.example
// documents the same keys; test/unit/config-example.test.ts keeps the two in step.
import type { Field } from './fields';
import {
  awsIds, boolean, decimal, hostPort, httpUrl, integer, location, oneOf, optionalPort, port, region, roleArn, s3Uri, secret,
  serverlessApplicationId, someOf, tags, tagValue, text, timeOfDay, timeZone, upperOneOf, webhookUrls,
} from './fields';
import { NOTIFY_OUTCOMES } from '../../workflows/shared';
import { athenaWorkgroup, glueName } from './catalog-fields';
import { instancePrices, usd } from './cost-fields';

export const schema = {
  cluster: {
    provider: oneOf(['local', 'emr', 'emr-serverless'] as const, 'local'),
  },
  aws: {
    region: region('us-west-2'),
    profile: text(),
    endpoint_url: httpUrl(),
    access_key_id: secret(),
    secret_access_key: secret(),
  },
  s3: {
    code_uri: s3Uri(),
    log_uri: s3Uri(),
  },
  datalake: {
    input_data: location('.emrflow/sample-data'),
    output_data: location('.emrflow/lake'),
  },
  emr: {
    release_label: text('emr-7.13.0'),
    master_instance_type: text('m5.xlarge'),
    core_instance_type: text('m5.xlarge'),
    core_instance_count: integer(2, 1, 500),
    core_market: upperOneOf(['ON_DEMAND', 'SPOT'] as const, 'ON_DEMAND'),
    service_role: text('EMR_DefaultRole'),
    instance_profile: text('EMR_EC2_DefaultRole'),
    idle_timeout_minutes: integer(60, 1, 10080),
    step_poll_seconds: integer(30, 1, 3600),
    extra_tags: tags(),
    subnet_ids: awsIds('subnet'),
    additional_master_security_groups: awsIds('sg'),
    additional_core_security_groups: awsIds('sg'),
  },
  emr_serverless: {
    application_id: serverlessApplicationId(),
    application_name: text('emrflow'),
    release_label: text('emr-7.13.0'),
    architecture: upperOneOf(['X86_64', 'ARM64'] as const, 'X86_64'),
    auto_stop_idle_minutes: integer(15, 1, 10080),
    max_vcpu: integer(32, 1, 10000),
    max_memory_gb: integer(128, 1, 100000),
    max_disk_gb: integer(1000, 20, 1000000),
    execution_role_arn: roleArn(),
    log_uri: s3Uri(),
    spark_submit_parameters: text(),
    job_poll_seconds: integer(30, 1, 3600),
  },
  local: {
    state_dir: location('.emrflow'),
    spark_master: text('local[2]'),
    driver_memory: text('2g'),
    step_poll_seconds: integer(2, 1, 3600),
  },
  temporal: {
    address: hostPort('127.0.0.1:7233'),
    namespace: text('default'),
    task_queue: text('emrflow'),
    ui_port: port(8233),
    bind_ip: text('127.0.0.1'),
    tls: boolean(false),
    tls_cert_path: text(),
    tls_key_path: text(),
    api_key: secret(),
    deployment: tagValue(),
    web_ui_url: httpUrl(),
    tls_ca_path: text(),
    tls_server_name: text(),
  },
  schedule: {
    daily_time: timeOfDay('07:00'),
    time_zone: timeZone('UTC'),
    catchup_window_hours: integer(24, 1, 24 * 365),
  },
  log: {
    format: oneOf(['text', 'json'] as const, 'text'),
    level: upperOneOf(['DEBUG', 'INFO', 'WARN', 'ERROR'] as const, 'INFO'),
  },
  worker: {
    health_port: optionalPort(),
    metrics_port: optionalPort(),
  },
  quality: {
    max_rejected_share: decimal(0.05, 0, 1),
    max_month_shrink: decimal(0.5, 0, 1),
    staging_keep_hours: integer(72, 1, 24 * 365),
  },
  catalog: {
    database: glueName('sparkify'),
    athena_workgroup: athenaWorkgroup('emrflow'),
    athena_results_uri: s3Uri(),
  },
  cost: {
    // No defaults here: unset keys take activities/cost/prices.ts's documented us-east-1 prices,
    // and a run's cost says whether its prices came from there or from dl.cfg.
    max_run_usd: usd(),
    instance_hour_usd: instancePrices(),
    emr_uplift_per_instance_hour_usd: usd(),
    serverless_vcpu_hour_usd: usd(),
    serverless_memory_gb_hour_usd: usd(),
    serverless_storage_gb_hour_usd: usd(),
  },
  notify: {
    webhook_url: webhookUrls(),
    on: someOf(NOTIFY_OUTCOMES, ['failure', 'data_quality', 'cluster_left_running', 'deadline_missed']),
  },
} as const;

export type Schema = typeof schema;
type FieldValue<F> = F extends Field<infer T, true> ? T | undefined : F extends Field<infer T, false> ? T : never;

/** The typed, validated configuration every process builds once at start-up. */
export type EmrflowConfig = {
  -readonly [S in keyof Schema]: { -readonly [K in keyof Schema[S]]: FieldValue<Schema[S][K]> };
} & {
  /** Where the configuration came from, for messages; never contains secrets. */
  source: { file: string; found: boolean; baseDir: string };
};
