import type { Command } from 'commander';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { temporalClient } from '../../worker/connect';
import { uiUrl } from '../../server/dev-server';
import { PIPELINE } from '../../../workflows/shared';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { action, configFrom, say, type GlobalOptions } from '../context';
import { parseMode, parseRunDate } from '../parse-args';

interface RunOptions {
  date?: string;
  mode?: string;
  wait?: boolean;
  json?: boolean;
}

function failureText(e: unknown): string {
  if (e instanceof WorkflowFailedError) {
    const parts: string[] = [];
    for (let c: Error | undefined = e.cause; c; c = (c as { cause?: Error }).cause) parts.push(c.message);
    return parts.join(': ') || e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Prints the run's stage whenever it changes, until the run closes. */
async function follow(client: Client, workflowId: string, quiet: boolean): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const started = Date.now();
  let last = '';
  for (;;) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return;
    if (!quiet) {
      try {
        const s = await handle.query<Record<string, unknown>>('status');
        const line = `stage ${s.stage ?? '?'}, cluster ${s.clusterId ?? '-'}, step ${s.stepId ?? '-'} ${s.stepState ?? ''}`.trim();
        if (line !== last) say(`${line} (${Math.round((Date.now() - started) / 1000)} s)`);
        last = line;
      } catch {
        // The first workflow task may not have run yet; the query answers once it has.
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function runCommand(program: Command): void {
  program
    .command('run')
    .description('start the songs ETL pipeline now')
    .option('--date <YYYY-MM-DD>', 'run date (the day whose logs are processed)')
    .option('--mode <full|daily>', 'full rebuild or one month incremental (default: daily with --date, else full)')
    .option('--wait', 'follow the run until it ends and print its summary')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', '\nExamples:\n  $ emrflow run --date 2018-11-15 --wait\n  $ emrflow run --mode full --json')
    .action(action(async (opts: RunOptions) => {
      const runDate = opts.date === undefined ? undefined : parseRunDate(opts.date);
      const mode = opts.mode === undefined ? undefined : parseMode(opts.mode);
      const config = configFrom(program.opts<GlobalOptions>());
      const client = await temporalClient(config);
      const id = `${PIPELINE}-${runDate ?? new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
      const handle = await client.workflow.start('songsEtl', {
        taskQueue: config.temporal.task_queue,
        workflowId: id,
        args: [{ ...(runDate && { runDate }), ...(mode && { mode }) }],
      });
      const url = `${uiUrl(config)}/namespaces/${config.temporal.namespace}/workflows/${id}/${handle.firstExecutionRunId}`;
      const out: Record<string, unknown> = { workflowId: id, runId: handle.firstExecutionRunId, url };
      if (!opts.json) say(`started ${id}: ${url}`);
      if (!opts.wait) {
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        return EXIT_OK;
      }
      await follow(client, id, Boolean(opts.json));
      try {
        out.result = await handle.result();
        out.status = 'COMPLETED';
      } catch (e) {
        out.status = (await handle.describe()).status.name;
        out.failure = failureText(e);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else if (out.status === 'COMPLETED') process.stdout.write(`${JSON.stringify(out.result, null, 2)}\n`);
      else say(`run ${String(out.status).toLowerCase()}: ${String(out.failure)}`);
      return out.status === 'COMPLETED' ? EXIT_OK : EXIT_FAILED;
    }));
}
