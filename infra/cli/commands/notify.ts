// `emrflow notify test`: posts a test message to every [notify] webhook_url and prints what each
// answered (status and first line), naming each webhook by position and host: the URL is a secret.
import type { Command } from 'commander';
import { sendTestMessages } from '../../../activities/notify/test-message';
import { describeAnswer } from '../../../activities/notify/post';
import { action, configFrom, type GlobalOptions } from '../context';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes';

export function notifyCommand(program: Command): void {
  const notify = program
    .command('notify')
    .description('notifications about runs ([notify] in dl.cfg)')
    .addHelpText('after', '\nExample:\n  $ emrflow notify test');
  notify
    .command('test')
    .description('send a test message to each [notify] webhook_url and print what each answered; exit 1 if any failed')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', '\nExamples:\n  $ emrflow notify test\n  $ emrflow notify test --json')
    .action(action(async (opts: { json?: boolean }) => {
      const config = configFrom(program.opts<GlobalOptions>());
      if (!config.notify.webhook_url) throw new UsageError(`${config.source.found ? config.source.file : 'dl.cfg'}: [notify] webhook_url is not set; nothing to test`);
      const answers = await sendTestMessages(config);
      if (opts.json) process.stdout.write(`${JSON.stringify({ webhooks: answers })}\n`);
      else for (const a of answers) process.stdout.write(`${a.ok ? 'ok    ' : 'FAILED'} ${describeAnswer(a, answers.length)}\n`);
      return answers.every((a) => a.ok) ? EXIT_OK : EXIT_FAILED;
    }));
}
