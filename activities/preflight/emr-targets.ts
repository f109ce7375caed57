// What an EMR run needs, read from the config: the buckets (with which settings use them), the
// two IAM roles and the release label. `aws check`, `aws bootstrap` and the run's preflight share it.
import type { EmrflowConfig } from '../../infra/config';
import type { PreflightCheck } from '../../workflows/shared';
import { parseS3Uri } from '../s3-uri';

export interface BucketNeed {
  bucket: string;
  /** The key prefix of the first setting that uses the bucket ("" for the bucket's root). */
  prefix: string;
  /** The settings that point into it, e.g. ["s3.code_uri", "s3.log_uri"]. */
  uses: string[];
}

export interface EmrTargets {
  region: string;
  buckets: BucketNeed[];
  serviceRole: string;
  instanceProfile: string;
  releaseLabel: string;
  /** Failed checks for settings that are unset or not s3:// (the emr provider needs them). */
  configProblems: PreflightCheck[];
}

const EXAMPLES: Record<string, string> = {
  's3.code_uri': 's3://my-bucket/emrflow/code',
  's3.log_uri': 's3://my-bucket/emrflow/logs',
  'datalake.input_data': 's3://my-bucket/sparkify/input',
  'datalake.output_data': 's3://my-bucket/sparkify/lake',
};

export function emrTargets(config: EmrflowConfig): EmrTargets {
  const locations: [string, string | undefined][] = [
    ['s3.code_uri', config.s3.code_uri],
    ['s3.log_uri', config.s3.log_uri],
    ['datalake.input_data', config.datalake.input_data],
    ['datalake.output_data', config.datalake.output_data],
  ];
  const buckets = new Map<string, BucketNeed>();
  const configProblems: PreflightCheck[] = [];
  for (const [setting, value] of locations) {
    const [section, key] = setting.split('.') as [string, string];
    const fix = `set [${section}] ${key} in dl.cfg, e.g. ${EXAMPLES[setting]}`;
    if (!value) {
      configProblems.push({ name: `config ${setting}`, ok: false, detail: 'is not set (the emr provider needs it)', fix });
      continue;
    }
    if (!value.startsWith('s3://')) {
      configProblems.push({ name: `config ${setting}`, ok: false, detail: `is ${value}, not an s3:// URI (an EMR cluster cannot read this machine's disk)`, fix });
      continue;
    }
    const { bucket, key: prefix } = parseS3Uri(value);
    const need = buckets.get(bucket);
    if (need) need.uses.push(setting);
    else buckets.set(bucket, { bucket, prefix: prefix.replace(/\/+$/, ''), uses: [setting] });
  }
  return {
    region: config.aws.region,
    buckets: [...buckets.values()],
    serviceRole: config.emr.service_role,
    instanceProfile: config.emr.instance_profile,
    releaseLabel: config.emr.release_label,
    configProblems,
  };
}
