// emrflow's command line. Exit codes: 0 ok, 1 run failed, 2 bad usage or bad config.
import { Command, CommanderError } from 'commander';
import { awsCommand } from './commands/aws';
import { cancelCommand } from './commands/cancel';
import { clustersCommand } from './commands/clusters';
import { devCommand } from './commands/dev';
import { logsCommand } from './commands/logs';
import { notifyCommand } from './commands/notify';
import { rerunCommand } from './commands/rerun';
import { pipelinesCommand } from './commands/pipelines';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { schedulesCommand } from './commands/schedules';
import { serverCommand } from './commands/server';
import { queryCommand } from './commands/query';
import { startCommand } from './commands/start';
import { tablesCommand } from './commands/tables';
import { workerCommand } from './commands/worker';
import { oneLineParseErrors } from './context';
import { EXIT_USAGE } from './exit-codes';

const program = new Command('emrflow')
  .description('Airflow-like orchestration of Spark jobs on AWS EMR, built on Temporal')
  .option('--config <path>', 'configuration file (default ./dl.cfg; env EMRFLOW_CONFIG)')
  .exitOverride();
oneLineParseErrors(program);

serverCommand(program);
workerCommand(program);
devCommand(program);
startCommand(program);
runCommand(program);
rerunCommand(program);
runsCommand(program);
logsCommand(program);
pipelinesCommand(program);
cancelCommand(program);
schedulesCommand(program);
clustersCommand(program);
awsCommand(program);
queryCommand(program);
tablesCommand(program);
notifyCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version are successes; every other parse error is bad usage.
    process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT_USAGE);
  }
  throw e;
}
