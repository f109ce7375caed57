// Bad configuration files and the one line each must produce: shared by the loader's unit
// test (config.test.ts) and the CLI-level check (config-cli.test.ts).
/** A valid emr configuration that cases vary. */
export const EMR_OK = `[cluster]\nprovider = emr\n[s3]\ncode_uri = s3://bucket/code\nlog_uri = s3://bucket/logs\n[datalake]\ninput_data = s3://bucket/in\noutput_data = s3://bucket/out\n`;

/** [case, dl.cfg text, what the one line must say] */
export const BAD_CONFIG_CASES: [string, string, RegExp][] = [
  ['unknown section', '[clustre]\nprovider = local\n', /unknown section \[clustre\] \(did you mean "cluster"\?\)/],
  ['unknown key', '[emr]\ncore_instance_cnt = 2\n', /\[emr\] unknown key "core_instance_cnt" \(did you mean "core_instance_count"\?\)/],
  ['wrong type', '[emr]\ncore_instance_count = three\n', /\[emr\] core_instance_count: expected a whole number, got "three"/],
  ['out of range', '[emr]\ncore_instance_count = 0\n', /\[emr\] core_instance_count: expected a number from 1 to 500, got 0/],
  ['bad enum', '[cluster]\nprovider = k8s\n', /\[cluster\] provider: expected one of local \| emr \| emr-serverless, got "k8s"/],
  ['emr-serverless without an execution role', '[cluster]\nprovider = emr-serverless\n[s3]\ncode_uri = s3://code-bucket/c\nlog_uri = s3://log-bucket/l\n[datalake]\ninput_data = s3://lake/in\noutput_data = s3://lake/out\n',
    /\[emr_serverless\] execution_role_arn is required when \[cluster\] provider = emr-serverless/],
  ['malformed execution role', '[emr_serverless]\nexecution_role_arn = emrflow-job\n', /\[emr_serverless\] execution_role_arn: expected an IAM role ARN/],
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
  ['bad notify outcome', '[notify]\non = failure, sucess\n', /\[notify\] on: expected some of failure, data_quality, cluster_left_running, success, deadline_missed separated by commas, got "sucess"/],
  ['webhook not a URL', '[notify]\nwebhook_url = https://hooks.example.com/ok, hooks.example.com/T0SECRET\n', /\[notify\] webhook_url: expected http\(s\):\/\/ URLs separated by commas; URL 2 of 2 is not one \(not shown: it is a secret\)$/],
  ['reserved tag', '[emr]\nextra_tags = emrflow:managed=false\n', /\[emr\] extra_tags: tag "emrflow:managed" is reserved/],
  ['budget not a number', '[cost]\nmax_run_usd = five\n', /\[cost\] max_run_usd: expected a USD amount greater than 0, got "five"/],
  ['zero budget', '[cost]\nmax_run_usd = 0\n', /\[cost\] max_run_usd: expected a USD amount greater than 0, got "0"/],
  ['bad price list', '[cost]\ninstance_hour_usd = m5.xlarge:0.192\n', /\[cost\] instance_hour_usd: expected instance-type=USD pairs separated by commas \(m5\.xlarge=0\.192\), got "m5\.xlarge:0\.192"/],
  ['negative price', '[cost]\nserverless_vcpu_hour_usd = -1\n', /\[cost\] serverless_vcpu_hour_usd: expected a USD amount greater than 0/],
  ['emr instance type without a price', `${EMR_OK}[emr]\ncore_instance_type = r5.2xlarge\n`,
    /\[cost\] instance_hour_usd has no price for \[emr\] core_instance_type = r5\.2xlarge; add r5\.2xlarge=<USD per hour>/],
];
