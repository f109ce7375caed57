// Before a cluster is paid for, the run's input must be there: a daily run reads its month's
// logs (log_data/YYYY/MM/), a full run every song and log file. One object under each prefix is
// enough to tell "there is something to read" from "the job would start, find nothing and fail".
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { EtlMode, PreflightCheck } from '../../workflows/shared';
import { callTimeout } from '../aws-clients';
import { joinKey, parseS3Uri } from '../s3-uri';
import { awsProblem, isTransient } from './aws-problem';
import { transientFailure } from './result';

export interface RunInput { mode: EtlMode; runDate: string }

/** The prefixes a run reads, under [datalake] input_data. */
export function inputPrefixes(run: RunInput): string[] {
  if (run.mode === 'full') return ['song_data/', 'log_data/'];
  const [year, month] = run.runDate.split('-');
  return [`log_data/${year}/${month}/`];
}

export async function s3InputChecks(s3: S3Client, inputUri: string, run: RunInput): Promise<PreflightCheck[]> {
  const { bucket, key } = parseS3Uri(inputUri);
  return Promise.all(inputPrefixes(run).map(async (sub): Promise<PreflightCheck> => {
    const prefix = `${joinKey(key, sub.replace(/\/$/, ''))}/`;
    const where = `s3://${bucket}/${prefix}`;
    const name = `input ${where}`;
    const why = run.mode === 'daily' ? `the logs of ${run.runDate.slice(0, 7)}, which a daily run for ${run.runDate} reads` : 'what a full run reads';
    try {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), callTimeout());
      if ((r.KeyCount ?? r.Contents?.length ?? 0) > 0) return { name, ok: true, detail: `has ${why}` };
      return {
        name, ok: false, detail: `no objects: ${why}${run.mode === 'daily' ? ',' : ''} are missing`,
        fix: `upload them (e.g. \`aws s3 sync <dir>/${sub} ${where}\`), or check [datalake] input_data and the run date`,
      };
    } catch (e) {
      const problem = awsProblem(e);
      const check = { name, ok: false, detail: `could not list ${where}: ${problem.message}`, fix: `check s3:ListBucket on arn:aws:s3:::${bucket} and [datalake] input_data` };
      return isTransient(problem.kind) ? transientFailure(check) : check;
    }
  }));
}
