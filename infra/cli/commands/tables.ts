// `emrflow tables`: each table of the lake with its partitions, rows, files, size, and the run
// that last wrote it; a table the pipeline writes but no run has published yet is listed as such.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { s3Client } from '../../../activities/aws-clients';
import { describeTables, formatTables } from '../../query/lake-tables';
import { action, configFrom, type GlobalOptions } from '../context';

export function tablesCommand(program: Command): void {
  program
    .command('tables')
    .description('list the lake\'s tables: partitions, rows, files, size, and the run that last wrote each')
    .option('--json', 'print JSON: [{ "name", "exists", "partitionKeys", "partitions", "rows", "files", "bytes", "lastWrite": { "runId", "mode", "at" } | null }]')
    .addHelpText('after', '\nExample:\n  $ emrflow tables\n  $ emrflow tables --json | jq \'.[] | {name, rows}\'')
    .action(action(async (opts: { json?: boolean }) => {
      const config = configFrom(program.opts<GlobalOptions>());
      let s3: S3Client | undefined;
      const tables = await describeTables(config.datalake.output_data, () => (s3 ??= s3Client(config.aws)));
      process.stdout.write(opts.json ? `${JSON.stringify(tables, null, 2)}\n` : formatTables(tables));
    }));
}
