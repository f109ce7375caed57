// Runs record their date, pipeline, cluster and step as custom search attributes; a namespace
// without them fails every run at its first upsert. The embedded dev server registers them at
// start; any other server (self-hosted, Temporal Cloud) gets them here, when the worker starts:
// created where the operator API allows it, otherwise one line naming the missing ones and the
// command that creates them.
import type { NativeConnection } from '@temporalio/worker';
import type { EmrflowConfig } from '../config';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

export class MissingSearchAttributes extends Error {}

/** The proto enum value of IndexedValueType.KEYWORD (every emrflow attribute is a Keyword). */
const KEYWORD = 2;

type OperatorService = NativeConnection['operatorService'];

export async function ensureSearchAttributes(
  operator: OperatorService,
  config: EmrflowConfig,
  log: (line: string) => void,
): Promise<{ created: string[] }> {
  const namespace = config.temporal.namespace;
  const existing = await operator.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return { created: [] };
  try {
    await operator.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (e) {
    throw new MissingSearchAttributes(
      `namespace ${namespace} lacks the custom search attributes ${missing.join(', ')} and this worker may not create them (${(e as Error).message.split('\n')[0]}); create them once: ${createCommands(config, missing)}`,
    );
  }
  log(`created the custom search attributes ${missing.join(', ')} on namespace ${namespace}`);
  return { created: missing };
}

/** The command for the server kind: tcld on Temporal Cloud, the temporal CLI elsewhere. */
export function createCommands(config: EmrflowConfig, names: string[]): string {
  const { namespace, address } = config.temporal;
  if (/\.tmprl\.cloud:\d+$/.test(address) || /\.api\.temporal\.io:\d+$/.test(address))
    return `tcld namespace search-attributes add --namespace ${namespace} ${names.map((n) => `--search-attribute "${n}=Keyword"`).join(' ')}`;
  return `temporal operator search-attribute create --address ${address} --namespace ${namespace} ${names.map((n) => `--name ${n} --type Keyword`).join(' ')}`;
}
