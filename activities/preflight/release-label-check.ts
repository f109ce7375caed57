// Is the configured EMR release offered in the region? ListReleaseLabels answers per region;
// when it cannot be asked (no permission, an emulator without it) the check passes as "could
// not verify", since RunJobFlow will say it plainly anyway.
import { ListReleaseLabelsCommand, type EMRClient } from '@aws-sdk/client-emr';
import type { PreflightCheck } from '../../workflows/shared';
import { callTimeout } from '../aws-clients';
import { awsProblem } from './aws-problem';
import { transientFailure } from './result';

const MAX_PAGES = 20;

async function listLabels(emr: EMRClient, prefix?: string): Promise<string[]> {
  const labels: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await emr.send(new ListReleaseLabelsCommand({ Filters: prefix ? { Prefix: prefix } : undefined, NextToken: token }), callTimeout());
    labels.push(...(out.ReleaseLabels ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return labels;
}

/** `section`: which dl.cfg section's release_label the fix names ([emr] or [emr_serverless]). */
export async function releaseLabelCheck(emr: EMRClient, label: string, region: string, section = 'emr'): Promise<PreflightCheck> {
  const name = `release ${label}`;
  try {
    // The prefix filter keeps the answer to one page on AWS; emulators may ignore it, hence includes().
    if ((await listLabels(emr, label)).includes(label)) return { name, ok: true, detail: `available in ${region}` };
    const newest = (await listLabels(emr)).filter((l) => l.startsWith('emr-'))[0];
    return {
      name, ok: false,
      detail: `is not an EMR release offered in ${region}${newest ? ` (newest: ${newest})` : ''}`,
      fix: `set [${section}] release_label in dl.cfg to one that \`aws emr list-release-labels --region ${region}\` lists`,
    };
  } catch (e) {
    const problem = awsProblem(e);
    if (problem.kind === 'unreachable') {
      return transientFailure({ name, ok: false, detail: `EMR did not answer: ${problem.message}`, fix: 'check the network and [aws] region / endpoint_url' });
    }
    return { name, ok: true, detail: `could not verify (ListReleaseLabels: ${problem.message}); RunJobFlow will reject an unknown label` };
  }
}
